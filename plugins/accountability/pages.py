"""The accountability module's console pages (issue 15): cases with their circumstances
(K1–K13) and the sanctions picked from the catalogue's table, the investigation, the
township's proposal and its referral to the district discipline commission.

The strictest module, as its API: only the roles holding ``accountability.case.read`` see a
case (others get the same 403 page as the API's 403), and every page that shows cases — the
list and each case — is audited exactly as the API's reads are (``services.page_of_cases``,
``services.read_case``): the one kind of GET that writes, an access-log entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import Blueprint, Response, flash, redirect
from flask_babel import gettext as _

from zerenzhi import (
    N_,
    Form,
    Label,
    NavEntry,
    Pager,
    Pages,
    get_or_404,
    load_query,
    page_answer,
    plugin_settings,
    render,
    render_page,
    requires,
    session,
    today,
    township_members,
    township_url,
    units_of_kind,
    writing,
)
from zerenzhi.plugins.accountability import catalogue, services
from zerenzhi.plugins.accountability.models import Case
from zerenzhi.plugins.accountability.schemas import (
    AccountabilityCaseIn,
    AccountabilityCaseQuery,
    AccountabilityDecisionIn,
    AccountabilityInvestigationIn,
    AccountabilityReferralIn,
)

bp = Blueprint("accountability_pages", __name__, template_folder="templates")
PAGES = Pages(
    blueprint=bp,
    nav=(NavEntry("accountability_pages.index", Label("問責", "Accountability"),
                  services.READ, order=95),),
    translations=Path(__file__).parent / "translations",
)
PAGE_SIZE = 50
STATUS_CSS = {"opened": "due_soon", "investigating": "due_soon", "decided": "upcoming",
              "referred": "upcoming", "outcome_recorded": "fulfilled", "closed": "waived"}


SERVICE_MESSAGES = (
    N_("cannot be in the future"),
    N_("a leading cadre is named (or given as a member)"),
    N_("not a member holding a post in this township"),
    N_("a severity applies one or more sanctions"),
)


class CasePageQuery(AccountabilityCaseQuery):
    """The API's list query plus the page number."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 100000))



def _names() -> dict[str, Any]:
    def labels(table: dict) -> dict[str, str]:
        return {k: render(v) for k, v in table.items()}

    return {"unit_names": {u.id: u.name for u in units_of_kind(session())},
            "circumstances": labels(catalogue.CIRCUMSTANCES),
            "severities": labels(catalogue.SEVERITIES),
            "sanctions": labels(catalogue.SANCTIONS),
            "statuses": labels(catalogue.STATUSES),
            "subject_kinds": labels(catalogue.SUBJECT_KINDS),
            "allowed": {code: list(catalogue.ALLOWED[code]) for code in catalogue.SEVERITIES},
            "status_css": STATUS_CSS}


@bp.route("/")
@requires(services.READ)
def index() -> str:
    """Cases, newest first, 50 to a page; the page read is audited with the ids it showed."""
    query = load_query(CasePageQuery)
    pager = Pager(query.pop("page"), PAGE_SIZE)
    with writing() as db:
        cases = services.page_of_cases(db, query, pager)
        rows = [{"id": c.id, "title": c.title, "status": c.status, "opened_on": c.opened_on,
                 "subject_unit_id": c.subject_unit_id, "circumstances": list(c.circumstances)}
                for c in cases]
    return render_page("accountability/index.html", rows=rows, pager=pager, query=query,
                       **_names())


@bp.route("/cases/new", methods=["GET", "POST"])
@requires("accountability.case.write")
def new() -> Response | tuple[str, int]:
    """Open a case (a leader's decision): the subject, the circumstances (K1–K13), facts."""
    form = Form(AccountabilityCaseIn, initial={"opened_on": today().isoformat()})
    if (row := form.submit(lambda db, data: services.open_case(db, data))) is not None:
        flash(_("The case was opened."))
        return redirect(township_url(".case", case_id=row.id))
    names = _names()
    return page_answer(render_page(
        "accountability/new.html", form=form,
        units=[(str(k), v) for k, v in names["unit_names"].items()],
        members=sorted(((str(m), info.display_name) for m, info in
                        township_members(session()).items()), key=lambda pair: pair[1]),
        kind_choices=list(names["subject_kinds"].items()),
        circumstance_choices=list(names["circumstances"].items())), form)


@bp.route("/cases/<uuid:case_id>")
@requires(services.READ)
def case(case_id, forms: dict[str, Form] | None = None) -> str:
    """One case, its reading audited as the API's; for writers the next step's form."""
    with writing() as db:
        row = services.read_case(db, get_or_404(Case, case_id))
        shown = _shown(row)
    forms = {"investigation": Form(AccountabilityInvestigationIn,
                                   initial={"started_on": today().isoformat()}),
             "decision": Form(AccountabilityDecisionIn,
                              initial={"decided_on": today().isoformat()}),
             "referral": Form(AccountabilityReferralIn, initial={
                 "referred_on": today().isoformat(),
                 "referred_to": plugin_settings("accountability").get("referral_body", "")}),
             **(forms or {})}
    names = _names()
    return render_page("accountability/case.html", row=shown, forms=forms,
                       severity_choices=list(names["severities"].items()), **names)


def _shown(row: Case) -> dict[str, Any]:
    """The case's columns, read inside the audited transaction, for the template."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def _step(case_id, name: str, schema, write, done: str) -> Response | tuple[str, int]:
    row = get_or_404(Case, case_id)
    form = Form(schema)
    if form.submit(lambda db, data: write(db, row, data)) is not None:
        flash(done)
        return redirect(township_url(".case", case_id=row.id))
    return case(case_id, forms={name: form}), 422


@bp.route("/cases/<uuid:case_id>/investigation", methods=["POST"])
@requires("accountability.case.write")
def investigate(case_id) -> Response | tuple[str, int]:
    """Start the investigation (opened → investigating)."""
    return _step(case_id, "investigation", AccountabilityInvestigationIn,
                 lambda db, row, data: services.investigate(db, row, data),
                 _("The investigation was started."))


@bp.route("/cases/<uuid:case_id>/decision", methods=["POST"])
@requires("accountability.case.write")
def decide(case_id) -> Response | tuple[str, int]:
    """The township's proposal: a severity and sanctions from its row of the table (or
    lighter ones combined); anything else is refused and nothing is written."""
    return _step(case_id, "decision", AccountabilityDecisionIn,
                 lambda db, row, data: services.decide(db, row, data),
                 _("The proposal was recorded."))


@bp.route("/cases/<uuid:case_id>/referral", methods=["POST"])
@requires("accountability.case.write")
def refer(case_id) -> Response | tuple[str, int]:
    """Refer the case to the district discipline commission (decided → referred)."""
    return _step(case_id, "referral", AccountabilityReferralIn,
                 lambda db, row, data: services.refer(db, row, data,
                                                      plugin_settings("accountability")),
                 _("The case was referred."))

