"""The approvals module's console pages (issue 15): applications for major activities with
W6's check shown on each — approved *before* the planned start, and filed with the higher
level — drafted by their organisers, submitted, decided by the committee's leaders and filed.
Each page calls the service its API route calls, with that route's permission and input
schema; units are picked from a list, never typed as ids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, flash, redirect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from zerenzhi import (
    N_,
    Form,
    Label,
    NavEntry,
    Pages,
    can_write_unit,
    current_identity,
    get_or_404,
    load_query,
    local_moments,
    local_value,
    page_answer,
    plugin_settings,
    render,
    render_page,
    require_unit_write,
    requires,
    session,
    township_url,
    units_of_kind,
    utcnow,
)
from zerenzhi.plugins.approvals import services
from zerenzhi.plugins.approvals.models import Application
from zerenzhi.plugins.approvals.rules import KINDS, STATUSES
from zerenzhi.plugins.approvals.schemas import (
    ApprovalsApplicationIn,
    ApprovalsDecisionIn,
    ApprovalsEmpty,
    ApprovalsFilingIn,
    ApprovalsOutcomeIn,
    ApprovalsQuery,
)

bp = Blueprint("approvals_pages", __name__, template_folder="templates")
PAGES = Pages(
    blueprint=bp,
    nav=(NavEntry("approvals_pages.index", Label("審批備案", "Approvals"),
                  "approvals.application.read", order=90),),
    translations=Path(__file__).parent / "translations",
)
LIST_LIMIT = 200


# the services' and schemas' own messages a page can meet, in this module's catalogue
SERVICE_MESSAGES = (
    N_("an activity cannot end before it starts"),
    N_("cannot be in the future: record what has happened"),
    N_("archived applications cannot change"),
    N_("a decision cannot precede the submission"),
    N_("must be the committee's secretary or a deputy currently in post"),
    N_("only an approved activity is filed"),
    N_("an activity is filed after it was approved"),
    N_("only an approved activity is held"),
    N_("the activity has not started yet"),
)
# a status -> the console's status colour (the words are the module's own labels)
STATUS_CSS = {"draft": "waived", "submitted": "due_soon", "approved": "upcoming",
              "rejected": "overdue", "filed": "fulfilled", "held": "fulfilled",
              "cancelled": "waived"}
CHECKS = {"before": ("fulfilled", _l("Approved before the start")),
          "late": ("overdue", _l("Approved on or after the start: W6 not met")),
          "pending": ("due_soon", _l("Not decided yet")),
          "none": ("waived", _l("Not submitted"))}



def check_of(row: Application) -> str:
    """W6 on one application: approved before its start, late, undecided or not submitted."""
    if row.decision == "approved":
        return "late" if row.approved_late else "before"
    return "pending" if row.status == "submitted" else "none"


def _names() -> dict[str, Any]:
    return {"unit_names": {u.id: u.name for u in units_of_kind(session())},
            "kinds": {k: render(v) for k, v in KINDS.items()},
            "statuses": {k: render(v) for k, v in STATUSES.items()},
            "status_css": STATUS_CSS, "checks": CHECKS, "check_of": check_of}


@bp.route("/")
@requires("approvals.application.read")
def index() -> str:
    """Applications by planned start, newest first, filtered by status, kind and flag."""
    query = load_query(ApprovalsQuery)
    rows = session().scalars(services.applications(query).limit(LIST_LIMIT)).all()
    return render_page("approvals/index.html", rows=rows, query=query,
                       kind_options=list(KINDS), status_options=list(STATUSES), **_names())


def _writable_units() -> list[tuple[str, str]]:
    """The units the caller organises for (their posts reach them), as a pick list."""
    return [(str(u.id), u.name) for u in units_of_kind(session()) if can_write_unit(u.id)]


@bp.route("/applications/new", methods=["GET", "POST"])
@requires("approvals.application.write")
def new() -> Response | tuple[str, int]:
    """Draft an application for one's own unit; nothing is due until it is submitted."""
    start = utcnow() + dt.timedelta(days=plugin_settings("approvals")["min_notice_days"] + 1)
    form = Form(ApprovalsApplicationIn, initial={
        "starts_at": local_value(start.replace(minute=0)),
        "ends_at": local_value(start.replace(minute=0) + dt.timedelta(hours=2)),
        "expected_participants": "30"}, prepare=local_moments("starts_at", "ends_at"))

    def write(db: Session, data: dict) -> Application:
        require_unit_write(data["organiser_unit_id"])
        return services.create_application(db, **data)

    if (row := form.submit(write)) is not None:
        flash(_("The application was drafted. Submit it to the committee in good time."))
        return redirect(township_url(".application", application_id=row.id))
    return page_answer(render_page("approvals/new.html", form=form, units=_writable_units(),
                                kind_choices=[(k, render(v)) for k, v in KINDS.items()],
                                notice=plugin_settings("approvals")["min_notice_days"]), form)


@bp.route("/applications/<uuid:application_id>")
@requires("approvals.application.read")
def application(application_id, forms: dict[str, Form] | None = None) -> str:
    """One application: its details, W6's check, and the step its status allows next."""
    row = get_or_404(Application, application_id)
    identity = current_identity()
    forms = {"decision": Form(ApprovalsDecisionIn), "filing": Form(ApprovalsFilingIn),
             "outcome": Form(ApprovalsOutcomeIn), **(forms or {})}
    return render_page("approvals/application.html", row=row, forms=forms,
                       can=identity.permissions if identity else frozenset(),
                       organiser=can_write_unit(row.organiser_unit_id),
                       notice=plugin_settings("approvals")["min_notice_days"], **_names())


def _step(application_id, name: str, schema, write: Callable[[Session, Application, dict],
                                                           Any], done: str, *,
          organiser: bool = False, prepare=None) -> Response | tuple[str, int]:
    """Post one workflow step through its form; a refused one re-renders the page."""
    row = get_or_404(Application, application_id)
    if organiser:
        require_unit_write(row.organiser_unit_id)
    form = Form(schema, prepare=prepare)
    if form.submit(lambda db, data: write(db, row, data)) is not None:
        flash(done)
        return redirect(township_url(".application", application_id=row.id))
    return application(application_id, forms={name: form}), 422


@bp.route("/applications/<uuid:application_id>/submit", methods=["POST"])
@requires("approvals.application.write")
def submit(application_id) -> Response | tuple[str, int]:
    """Submit to the committee: W6's deadline, the planned start, begins to run."""
    notice = plugin_settings("approvals")["min_notice_days"]
    return _step(application_id, "submit", ApprovalsEmpty,
                 lambda db, row, _data: services.submit(db, row, min_notice_days=notice),
                 _("Submitted to the committee."), organiser=True)


@bp.route("/applications/<uuid:application_id>/decision", methods=["POST"])
@requires("approvals.application.decide")
def decide(application_id) -> Response | tuple[str, int]:
    """The committee's decision, recorded by the leader who made it."""

    def write(db: Session, row: Application, data: dict) -> Application:
        identity = current_identity()
        data["decided_by"] = data["decided_by"] or (identity.user_id if identity else None)
        return services.decide(db, row, **data)

    return _step(application_id, "decision", ApprovalsDecisionIn, write,
                 _("The decision was recorded."), prepare=local_moments("decided_at"))


@bp.route("/applications/<uuid:application_id>/filing", methods=["POST"])
@requires("approvals.application.file")
def file(application_id) -> Response | tuple[str, int]:
    """File the approved activity with the higher level (again to correct the record)."""
    return _step(application_id, "filing", ApprovalsFilingIn,
                 lambda db, row, data: services.file_with_higher_level(db, row, **data),
                 _("The filing was recorded."), prepare=local_moments("filed_at"))


@bp.route("/applications/<uuid:application_id>/outcome", methods=["POST"])
@requires("approvals.application.write")
def outcome(application_id) -> Response | tuple[str, int]:
    """The activity was held, or called off."""
    return _step(application_id, "outcome", ApprovalsOutcomeIn,
                 lambda db, row, data: services.record_outcome(db, row, **data),
                 _("The outcome was recorded."), organiser=True)
