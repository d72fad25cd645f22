"""Directives (督辦, W1) on pages: the county issues one to some of its townships, follows
each township's progress, chases an overdue one, cancels or archives a directive; a
township reads what was assigned to it and reports a task completed.

Every page calls the service the API route calls, with its permission and input schema
(``DirectiveIn``, ``CompletionIn``), so a page can do nothing the API refuses. County pages
answer only the county's own staff (the request pipeline gives everyone else the unknown
county's 404 page); what the county sees of a township is its copy's status and counts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from zerenzhi.auth.permissions import requires
from zerenzhi.auth.scope import can_write_unit, require_unit_write
from zerenzhi.console.forms import Form, load_query
from zerenzhi.console.organisation import kind_label
from zerenzhi.console.pages import bp, render_page
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session as db_session
from zerenzhi.db.session import writing
from zerenzhi.directives import rules, service
from zerenzhi.directives.models import Directive, InboxItem
from zerenzhi.domain import DomainError
from zerenzhi.orgunits.models import UNIT_KINDS
from zerenzhi.routes.common import get_or_404
from zerenzhi.routes.directive_schemas import CompletionIn, DirectiveIn, TargetQuery
from zerenzhi.web.pipeline import not_found


def N_(text: str) -> str:
    return text


# the services' messages a directive page can meet, in this area's catalogue
SERVICE_MESSAGES = (
    N_("already completed"),
    N_("the county cancelled this directive"),
    N_("only an overdue township is chased"),
    N_("the directive was cancelled"),
    N_("a task needs a deadline"),
    N_("must be in the future"),
    N_("required for a rule"),
    N_("required for a task"),
)
KINDS = (("task", _l("Task with a deadline")), ("rule", _l("Rule for a period")))
PAGE_SIZE = 30
HOME_LIMIT = 5
STATE_ORDER = {"overdue": 0, "open": 1, "completed": 2, "cancelled": 3}


def _county():
    return g.zz_tenant.ref()


def _held(permission: str) -> bool:
    return permission in g.zz_identity.permissions


def _local_deadline(value: str) -> str:
    """An HTML ``datetime-local`` value is the county's wall clock: give it its offset, so
    the API's schema (which wants one) reads the moment the county meant."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema names it as invalid
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(g.zz_tenant.timezone))
    return moment.isoformat()


def _prepare(data: dict[str, Any]) -> dict[str, Any]:
    """The form shows every field; the API takes a task's or a rule's only. No township
    ticked is an error (the API's "omit for all" is not what an empty tick list means)."""
    data.setdefault("townships", [])
    if data.get("kind", "task") == "rule":
        data.pop("deadline", None)
    else:
        for name in ("period", "applies_to", "min_count"):
            data.pop(name, None)
        if data.get("deadline"):
            data["deadline"] = _local_deadline(data["deadline"])
    return data


def _form_context(form: Form) -> dict[str, Any]:
    towns = service.townships(db_session(), _county())
    return {"form": form, "kinds": KINDS, "towns": towns,
            "unit_kinds": [(kind, kind_label(kind)) for kind in UNIT_KINDS]}


def _new_form() -> Form:
    towns = service.townships(db_session(), _county())
    return Form(DirectiveIn, initial={"kind": "task", "townships": [t.slug for t in towns],
                                      "applies_to": [], "min_count": "1"}, prepare=_prepare)


# --- the county ----------------------------------------------------------------------------

@bp.route("/counties/<county>/directives")
@requires("rollups.read")
def county_directives(county: str | None = None) -> str:
    """The county's directives, newest first, each with its townships' counts (open,
    completed, overdue); the form to issue one for the county's admins."""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    items, total = service.county_directives(db_session(), _county(), utcnow(),
                                             limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    context = _form_context(_new_form()) if _held("directives.write") else {}
    return render_page("console/directives_county.html", items=items, total=total, page=page,
                       pages=max(1, -(-total // PAGE_SIZE)), **context)


@bp.route("/counties/<county>/directives/new", methods=["GET", "POST"])
@requires("directives.write")
def county_directive_new(county: str | None = None) -> Response | tuple[str, int]:
    """Issue a directive (W1): a task with a deadline, or a rule for a period at the units
    of the kinds ticked, to the townships ticked — through the API's schema and service."""
    form = _new_form()
    directive = form.submit(lambda db, data: service.create_directive(
        db, issued_by=g.zz_identity.user_id, **data))
    if directive is not None:
        flash(_("The directive was issued."))
        return redirect(url_for("console.county_directive", county=g.zz_tenant.slug,
                                directive_id=directive.id))
    return (render_page("console/directive_new.html", **_form_context(form)),
            422 if form.errors else 200)


def _live(directive_id: uuid.UUID) -> Directive:
    return get_or_404(Directive, directive_id, include_archived=False)


@bp.route("/counties/<county>/directives/<uuid:directive_id>")
@requires("rollups.read")
def county_directive(directive_id: uuid.UUID, county: str | None = None) -> str:
    """One directive with each township's progress: open, completed or overdue, units
    required and fulfilled, when last chased; the admin's chase, cancel, archive buttons."""
    directive = _live(directive_id)
    view = service.county_directive(db_session(), _county(), directive, utcnow())
    view["townships"].sort(key=lambda row: (STATE_ORDER[row["status"]], row["township"]["slug"]))
    return render_page("console/directive_county.html", view=view,
                       version=directive.updated_at.isoformat(),
                       can_write=_held("directives.write"), kind_label=kind_label)


def _act(directive_id: uuid.UUID, act, done: str, refused: str | None = None,
         then: str = "console.county_directive") -> Response:
    """A county admin's button on a directive's page: on success ``then``; a refusal is
    flashed (``refused`` in place of the service's message when it names townships)."""
    try:
        with writing() as db:
            act(db, _live(directive_id))
    except DomainError as error:
        flash(refused or _(error.message))
        then = "console.county_directive"
    else:
        flash(done)
    values = {} if then == "console.county_directives" else {"directive_id": directive_id}
    return redirect(url_for(then, county=g.zz_tenant.slug, **values))


@bp.route("/counties/<county>/directives/<uuid:directive_id>/townships/<township_slug>/chase",
          methods=["POST"])
@requires("directives.write")
def county_directive_chase(directive_id: uuid.UUID, township_slug: str,
                           county: str | None = None) -> Response:
    """Chase an overdue township (催辦): recorded, and sent to its office's notifiers."""
    def chase(db, directive: Directive) -> None:
        if service.chase(db, _county(), directive, township_slug, utcnow(),
                         g.zz_identity.user_id) is None:
            not_found()
    return _act(directive_id, chase, _("The township was chased; its office is notified."))


@bp.route("/counties/<county>/directives/<uuid:directive_id>/cancel", methods=["POST"])
@requires("directives.write")
def county_directive_cancel(directive_id: uuid.UUID, county: str | None = None) -> Response:
    """Cancel the directive: unfinished copies cancelled, completed ones kept."""
    return _act(directive_id, lambda db, d: service.cancel_directive(db, _county(), d, utcnow()),
                _("The directive was cancelled."))


@bp.route("/counties/<county>/directives/<uuid:directive_id>/archive", methods=["POST"])
@requires("directives.write")
def county_directive_archive(directive_id: uuid.UUID, county: str | None = None) -> Response:
    """Archive the finished directive shown (the version travels with the button)."""
    def archive(db, directive: Directive) -> None:
        if request.form.get("version") != directive.updated_at.isoformat():
            raise DomainError("_schema", "changed", status=412)
        service.archive_directive(db, _county(), directive, utcnow())
    return _act(directive_id, archive, _("The directive was archived."),
                refused=_("Not archived: a township still owes it (cancel it first), or "
                          "someone changed it after you opened it."),
                then="console.county_directives")


# --- the township --------------------------------------------------------------------------

def township_view(targets: list) -> list[dict[str, Any]]:
    """Copies as the API shows them (status, a rule's units), the open ones first."""
    views = rules.views(db_session(), targets, utcnow())
    return sorted(views, key=lambda v: (STATE_ORDER[v["status"]], v["deadline"]))


def home_directives() -> dict[str, Any]:
    """The home page's two sections: the county's directives assigned here (open ones
    first) and the reports sent upward with the county's acknowledgement, each shown only
    to who may read it."""
    db, result = db_session(), {"home_directives": None, "home_outbox": None}
    if _held("directives.read"):
        targets = list(db.scalars(service.township_directives(db, utcnow())))
        result["home_directives"] = [v for v in township_view(targets)
                                     if v["status"] != "cancelled"][:HOME_LIMIT]
    if _held("outbox.read"):
        result["home_outbox"] = list(db.scalars(
            select(InboxItem).order_by(InboxItem.sent_at.desc(), InboxItem.id.desc())
            .limit(HOME_LIMIT)))
    return result


@bp.route("/townships/<township>/directives")
@requires("directives.read")
def directives(township: str | None = None) -> str:
    """The directives the county assigned to this township, open ones first, with their
    deadline and status (filtered as the API's list is)."""
    query = load_query(TargetQuery)
    db = db_session()
    targets = list(db.scalars(service.township_directives(db, utcnow(), **query)))
    return render_page("console/directives.html", rows=township_view(targets), query=query)


def _target(directive_id: uuid.UUID):
    target = service.township_directive(db_session(), directive_id)
    if target is None:
        not_found()
    return target


def _township_page(target, form: Form) -> tuple[str, int]:
    [view] = rules.views(db_session(), [target], utcnow())
    can_complete = (_held("directives.complete") and view["kind"] == "task"
                    and view["status"] in ("open", "overdue") and can_write_unit(target.unit_id))
    return (render_page("console/directive.html", view=view, form=form,
                        can_complete=can_complete, kind_label=kind_label),
            422 if form.errors else 200)


@bp.route("/townships/<township>/directives/<uuid:directive_id>")
@requires("directives.read")
def directive(directive_id: uuid.UUID, township: str | None = None) -> tuple[str, int]:
    """One directive as assigned here: what it asks, by when, its status; a task's
    completion report form; a rule's units with done of required."""
    return _township_page(_target(directive_id), Form(CompletionIn))


@bp.route("/townships/<township>/directives/<uuid:directive_id>/completion", methods=["POST"])
@requires("directives.complete")
def directive_complete(directive_id: uuid.UUID,
                       township: str | None = None) -> Response | tuple[str, int]:
    """Report a task completed (辦結報告): its obligation turns fulfilled and the county
    sees it completed — the API's completion service."""
    target = _target(directive_id)
    require_unit_write(target.unit_id)
    form = Form(CompletionIn)
    if form.submit(lambda db, data: service.complete(
            db, directive_id, data["report"], g.zz_identity.user_id)) is not None:
        flash(_("The completion report went to the county."))
        return redirect(url_for("console.directive", township=g.zz_tenant.slug,
                                directive_id=directive_id))
    db_session().refresh(target)
    return _township_page(target, form)
