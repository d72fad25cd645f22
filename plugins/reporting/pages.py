"""The reporting module's console pages (issue 14): the committee's meetings on ideology
(R1, W2), the half-year report with its sections and its .docx (R1), and major situations
with R3's 24-hour clock. Every page calls the service the API route calls, with the API
route's permission and input schema, so a page records nothing the API would refuse."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import Blueprint, Response, flash, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from zerenzhi import (
    N_,
    DomainError,
    Form,
    Label,
    NavEntry,
    Pages,
    committee,
    get_or_404,
    load_query,
    local_moments,
    local_value,
    page_answer,
    plugin_settings,
    render_page,
    require_unit_write,
    requires,
    session,
    today,
    township_url,
    unit_members,
    upward_receipt,
    utcnow,
    writing,
)
from zerenzhi.plugins.reporting import export, services, situations
from zerenzhi.plugins.reporting.models import (
    ReportingHalfYearReport,
    ReportingMeeting,
    ReportingSituation,
)
from zerenzhi.plugins.reporting.schemas import (
    ReportingAcknowledgeIn,
    ReportingHalfYearIn,
    ReportingHalfYearOut,
    ReportingHalfYearPatch,
    ReportingListQuery,
    ReportingMeetingIn,
    ReportingMeetingOut,
    ReportingMeetingPatch,
    ReportingSituationIn,
    ReportingSituationReportIn,
    ReportingSubmitIn,
)

bp = Blueprint("reporting_pages", __name__, template_folder="templates")
PAGES = Pages(
    blueprint=bp,
    nav=(NavEntry("reporting_pages.index", Label("報告", "Reporting"), "reporting.meeting.read",
                  order=70),),
    translations=Path(__file__).parent / "translations",
)
LIST_LIMIT = 200
BLANK_SECTIONS = 2  # empty heading/body pairs offered below a report's sections


# the services' and schemas' own messages a page can meet, in this module's catalogue
SERVICE_MESSAGES = (
    N_("YYYYH1 or YYYYH2"),
    N_("cannot be in the future"),
    N_("a report needs at least one section"),
    N_("only a draft can be edited"),
    N_("an archived record cannot change"),
    N_("before the situation occurred"),
    N_("the situation is archived"),
)
STALE = _l("Someone changed this record after you opened it. Your changes were not saved: "
           "here is the current version; make them again.")
SITUATION_STATUS = {  # R3's state -> (css status, label)
    "awaiting_report": ("due_soon", _l("Awaiting report")),
    "overdue": ("overdue", _l("Overdue")),
    "reported": ("fulfilled", _l("Reported")),
    "reported_late": ("overdue", _l("Reported late")),
}
REPORT_STATUS = {"draft": _l("Draft"), "submitted": _l("Submitted"),
                 "acknowledged": _l("Acknowledged")}


def _committee_write(action: Callable[..., Any], *args: Any) -> Callable[[Session, dict], Any]:
    """What the API's ``_write`` does: the committee in the caller's scope, then the
    service, inside ``Form.submit``'s one transaction."""

    def write(db: Session, data: dict) -> Any:
        require_unit_write(committee(db).id)
        return action(db, *args, data)

    return write


# --- the lost-update guard ------------------------------------------------------------------


def version(row: Any, schema: type[ma.Schema]) -> str:
    """The record's version (sha1 of the API schema's dump, as an ETag is made); an
    edit form carries it in a hidden field."""
    return hashlib.sha1(json.dumps(schema().dump(row), sort_keys=True).encode()).hexdigest()


def unchanged(db: Session, row: Any, schema: type[ma.Schema]) -> None:
    """Refuse a save when the record changed since its form was shown. A no-op UPDATE first
    locks the row (SQLite: the database) until the commit, as the API's ETag check does, so
    of two saves of one version only the first passes and the second sees its change."""
    table = type(row).__table__
    db.execute(update(table).where(table.c.tenant_id == row.tenant_id, table.c.id == row.id)
               .values(updated_at=table.c.updated_at))
    db.refresh(row)
    if request.form.get("version") != version(row, schema):
        raise DomainError("_schema", str(STALE), 412)


# --- the module's page ----------------------------------------------------------------------


@bp.route("/")
@requires("reporting.meeting.read")
def index() -> str:
    """A year's meetings, half-year reports and major situations, newest first; each
    situation with its R3 deadline and the time left or overdue."""
    query = load_query(ReportingListQuery)
    year = query.setdefault("year", today().year)
    db = session()
    meetings = db.scalars(services.listing(ReportingMeeting, ReportingMeeting.held_on, query)
                          .limit(LIST_LIMIT)).all()
    reports = db.scalars(services.half_year_reports(query).limit(LIST_LIMIT)).all()
    found = db.scalars(situations.listing(query).limit(LIST_LIMIT)).all()
    return render_page("reporting/index.html", meetings=meetings, reports=reports,
                       situations=[clock(s) for s in situations.shown(db, found)], year=year,
                       years=range(today().year, today().year - 5, -1),
                       report_status=REPORT_STATUS)


def clock(shown: dict) -> dict:
    """R3's clock: the deadline the API computed, and the hours and minutes left (or past)
    while no report is in."""
    css, label = SITUATION_STATUS[shown["status"]]
    due, left = shown["due_at"], None
    if due is not None and shown["status"] in ("awaiting_report", "overdue"):
        seconds = int((due - utcnow()).total_seconds())
        hours, minutes = divmod(abs(seconds) // 60, 60)
        left = {"overdue": seconds <= 0, "hours": hours, "minutes": minutes}
    return {**shown, "css": css, "label": label, "left": left}


# --- R1 / W2: meetings -----------------------------------------------------------------------


def _attendees(data: dict) -> dict:
    """Ticked committee members plus other names, one a line: the API's ``attendees``."""
    others = [n.strip() for n in request.form.get("others", "").splitlines() if n.strip()]
    data["attendees"] = list(dict.fromkeys([*data.get("attendees", []), *others]))
    return data


def _members() -> list[str]:
    """The committee's members now: the names a meeting's attendance is ticked from."""
    db = session()
    return list(dict.fromkeys(name for _id, name, _role in unit_members(db, committee(db).id)))


def _meeting_page(form: Form, row: ReportingMeeting | None) -> tuple[str, int]:
    members = _members()
    chosen = form.value("attendees", [])
    others = "\n".join(n for n in chosen if n not in members)
    return page_answer(render_page(
        "reporting/meeting_form.html", form=form, row=row, members=members, chosen=chosen,
        others=request.form.get("others", others),
        version=version(row, ReportingMeetingOut) if row else None), form)


@bp.route("/meetings/new", methods=["GET", "POST"])
@requires("reporting.meeting.write")
def new_meeting() -> Response | tuple[str, int]:
    """Record a committee meeting on ideology: it counts for R1's half-year and W2's year."""
    form = Form(ReportingMeetingIn, initial={"held_on": today().isoformat()},
                prepare=_attendees)
    if (row := form.submit(_committee_write(services.record_meeting))) is not None:
        flash(_("The meeting was recorded."))
        return redirect(township_url(".meeting", meeting_id=row.id))
    return _meeting_page(form, None)


@bp.route("/meetings/<uuid:meeting_id>")
@requires("reporting.meeting.read")
def meeting(meeting_id) -> str:
    """One meeting as recorded."""
    row = get_or_404(ReportingMeeting, meeting_id)
    return render_page("reporting/meeting.html", row=row,
                       version=version(row, ReportingMeetingOut))


@bp.route("/meetings/<uuid:meeting_id>/edit", methods=["GET", "POST"])
@requires("reporting.meeting.write")
def edit_meeting(meeting_id) -> Response | tuple[str, int]:
    """Change a meeting; the version shown travels with the form, and a save over someone
    else's change is refused with the current record shown."""
    row = get_or_404(ReportingMeeting, meeting_id)
    form = Form(ReportingMeetingPatch, initial=_meeting_values(row), prepare=_attendees)

    def save(db: Session, data: dict) -> ReportingMeeting:
        unchanged(db, row, ReportingMeetingOut)
        return _committee_write(services.update_meeting, row)(db, data)

    if form.submit(save) is not None:
        flash(_("The meeting was saved."))
        return redirect(township_url(".meeting", meeting_id=row.id))
    if form.errors.get("_schema") == [str(STALE)]:
        session().refresh(row)
        form.values = {**form.values, **_meeting_values(row)}
    return _meeting_page(form, row)


def _meeting_values(row: ReportingMeeting) -> dict:
    return {"held_on": row.held_on.isoformat(), "title": row.title,
            "start_time": row.start_time.strftime("%H:%M") if row.start_time else "",
            "attendees": list(row.attendees or []), "agenda": row.agenda or "",
            "decisions": row.decisions or ""}


@bp.route("/meetings/<uuid:meeting_id>/archive", methods=["POST"])
@requires("reporting.meeting.write")
def archive_meeting(meeting_id) -> Response:
    """Archive (never delete) the version shown: the meeting stops counting."""
    row = get_or_404(ReportingMeeting, meeting_id)
    try:
        with writing() as db:
            unchanged(db, row, ReportingMeetingOut)
            require_unit_write(committee(db).id)
            services.archive(db, row, services.MEETING)
    except DomainError as error:
        flash(error.message)
        return redirect(township_url(".meeting", meeting_id=row.id))
    flash(_("The meeting was archived: it no longer counts."))
    return redirect(township_url(".index"))


# --- R1: the half-year report ----------------------------------------------------------------


def _sections(data: dict) -> dict:
    """The section rows of the form (heading and body side by side) as the API's list;
    rows left blank are dropped."""
    headings, bodies = request.form.getlist("heading"), request.form.getlist("body")
    if headings or bodies:
        data["sections"] = [{"heading": h.strip(), "body": b}
                            for h, b in zip(headings, bodies, strict=False)
                            if h.strip() or b.strip()]
    return data


def _half_years() -> list[str]:
    """This half-year and the two before it: what a new report is usually about."""
    day, found = today(), []
    year, half = day.year, 1 if day.month <= 6 else 2
    for _n in range(3):
        found.append(f"{year}H{half}")
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return found


@bp.route("/half-year-reports/new", methods=["GET", "POST"])
@requires("reporting.report.write")
def new_report() -> Response | tuple[str, int]:
    """Start the draft of a half-year report (title and recipient default as the API's)."""
    form = Form(ReportingHalfYearIn, initial={"period": _half_years()[0]}, prepare=_sections)
    if (row := form.submit(_create_report)) is not None:
        flash(_("The draft was started."))
        return redirect(township_url(".report", report_id=row.id))
    return page_answer(render_page("reporting/report_form.html", form=form, row=None,
                                periods=_half_years(), sections=_shown_sections(None),
                                version=None), form)


def _create_report(db: Session, data: dict) -> ReportingHalfYearReport:
    require_unit_write(committee(db).id)
    return services.create_half_year(db, data, plugin_settings("reporting"))


def _shown_sections(row: ReportingHalfYearReport | None, fresh: bool = False) -> list[dict]:
    """The section rows to show: as posted (after a refused save), else the report's, and
    a few blank rows to add more."""
    if request.method == "POST" and not fresh:
        sections = [{"heading": h, "body": b} for h, b in zip(
            request.form.getlist("heading"), request.form.getlist("body"), strict=False)
            if h.strip() or b.strip()]
    else:
        sections = list(row.sections or []) if row is not None else []
    return [*sections, *({"heading": "", "body": ""} for _n in range(BLANK_SECTIONS))]


@bp.route("/half-year-reports/<uuid:report_id>")
@requires("reporting.report.read")
def report(report_id) -> str:
    """The report with its sections, where it stands (draft, submitted, acknowledged) and
    its .docx; a draft's writers submit it here."""
    row = get_or_404(ReportingHalfYearReport, report_id)
    form = Form(ReportingSubmitIn, initial={"submitted_on": today().isoformat(),
                                            "recipient": row.recipient})
    ack_form = Form(ReportingAcknowledgeIn, initial={"acknowledged_on": today().isoformat()})
    return render_page("reporting/report.html", row=row, form=form, ack_form=ack_form,
                       status=REPORT_STATUS.get(row.status, row.status),
                       version=version(row, ReportingHalfYearOut),
                       receipt=upward_receipt(session(), services.HALF_YEAR, row.id))


@bp.route("/half-year-reports/<uuid:report_id>/edit", methods=["GET", "POST"])
@requires("reporting.report.write")
def edit_report(report_id) -> Response | tuple[str, int]:
    """Edit a draft's title, recipient and sections (what went up stays as it went)."""
    row = get_or_404(ReportingHalfYearReport, report_id)
    form = Form(ReportingHalfYearPatch, initial={"period": row.period, "title": row.title,
                                                 "recipient": row.recipient},
                prepare=_sections)

    def save(db: Session, data: dict) -> ReportingHalfYearReport:
        unchanged(db, row, ReportingHalfYearOut)
        return _committee_write(services.update_half_year, row)(db, data)

    if form.submit(save) is not None:
        flash(_("The report was saved."))
        return redirect(township_url(".report", report_id=row.id))
    stale = form.errors.get("_schema") == [str(STALE)]
    if stale:  # show what is there now, not what was refused
        session().refresh(row)
        form.values = {**form.values, "title": row.title, "recipient": row.recipient}
    return page_answer(render_page(
        "reporting/report_form.html", form=form, row=row, periods=_half_years(),
        sections=_shown_sections(row, fresh=stale), version=version(row, ReportingHalfYearOut)),
        form)


@bp.route("/half-year-reports/<uuid:report_id>/submit", methods=["POST"])
@requires("reporting.report.write")
def submit_report(report_id) -> Response | tuple[str, int]:
    """Submitted to the higher committee: it now counts for its half-year (R1)."""
    row = get_or_404(ReportingHalfYearReport, report_id)
    form = Form(ReportingSubmitIn)
    if form.submit(_committee_write(services.submit_half_year, row)) is not None:
        flash(_("The report was submitted: it counts for %(period)s.", period=row.period))
        return redirect(township_url(".report", report_id=row.id))
    return render_page("reporting/report.html", row=row, form=form, ack_form=Form(
        ReportingAcknowledgeIn, initial={"acknowledged_on": today().isoformat()}),
        status=REPORT_STATUS.get(row.status, row.status),
        version=version(row, ReportingHalfYearOut)), 422


@bp.route("/half-year-reports/<uuid:report_id>/acknowledge", methods=["POST"])
@requires("reporting.report.write")
def acknowledge_report(report_id) -> Response | tuple[str, int]:
    """The higher committee acknowledged receipt of a submitted report."""
    row = get_or_404(ReportingHalfYearReport, report_id)
    form = Form(ReportingAcknowledgeIn)
    if form.submit(_committee_write(services.acknowledge_half_year, row)) is not None:
        flash(_("The acknowledgement was recorded."))
        return redirect(township_url(".report", report_id=row.id))
    return render_page("reporting/report.html", row=row, form=form, ack_form=form,
                       status=REPORT_STATUS.get(row.status, row.status),
                       version=version(row, ReportingHalfYearOut)), 422


@bp.route("/half-year-reports/<uuid:report_id>/archive", methods=["POST"])
@requires("reporting.report.write")
def archive_report(report_id) -> Response:
    """Archive (never delete) the version shown: a submitted report stops counting."""
    row = get_or_404(ReportingHalfYearReport, report_id)
    try:
        with writing() as db:
            unchanged(db, row, ReportingHalfYearOut)
            require_unit_write(committee(db).id)
            services.archive(db, row, services.HALF_YEAR)
    except DomainError as error:
        flash(error.message)
        return redirect(township_url(".report", report_id=row.id))
    flash(_("The report was archived: it no longer counts."))
    return redirect(township_url(".index"))


@bp.route("/half-year-reports/<uuid:report_id>/export.docx")
@requires("reporting.report.read")
def report_docx(report_id) -> Response:
    """The same .docx the API serves (and audited as that export is)."""
    row = get_or_404(ReportingHalfYearReport, report_id)
    with writing() as db:
        content = export.docx(db, row, plugin_settings("reporting"))
    return Response(content, mimetype=export.DOCX, headers={
        "Content-Disposition": f"attachment; filename=report-{row.period}.docx"})


# --- R3: major situations --------------------------------------------------------------------



@bp.route("/situations/new", methods=["GET", "POST"])
@requires("reporting.situation.write")
def new_situation() -> Response | tuple[str, int]:
    """Record a major situation: R3's deadline (24 hours by default) starts when it arose."""
    form = Form(ReportingSituationIn, initial={"occurred_at": local_value(utcnow())},
                prepare=local_moments("occurred_at"))
    if (row := form.submit(_committee_write(situations.record_situation))) is not None:
        flash(_("The situation was recorded: report it before the deadline shown."))
        return redirect(township_url(".situation", situation_id=row.id))
    return page_answer(render_page("reporting/situation_form.html", form=form), form)


@bp.route("/situations/<uuid:situation_id>", methods=["GET"])
@requires("reporting.situation.read")
def situation(situation_id, form: Form | None = None) -> str:
    """One situation: its clock, its reports (late or not) and, for writers, the report
    form with proposals (R3)."""
    row = get_or_404(ReportingSituation, situation_id)
    shown = clock(situations.shown(session(), [row])[0])
    form = form or Form(ReportingSituationReportIn, initial={
        "reported_at": local_value(utcnow()), "recipient": plugin_settings("reporting")[
            "higher_committee"]})
    return render_page("reporting/situation.html", row=row, shown=shown, form=form,
                       receipt_of=lambda report_id: upward_receipt(
                           session(), situations.REPORT, report_id))


@bp.route("/situations/<uuid:situation_id>/reports", methods=["POST"])
@requires("reporting.situation.write")
def report_situation(situation_id) -> Response | tuple[str, int]:
    """Report the situation upward with proposals: fulfils R3 (a late one stays late)."""
    row = get_or_404(ReportingSituation, situation_id)
    form = Form(ReportingSituationReportIn, prepare=local_moments("reported_at"))
    settings = plugin_settings("reporting")

    def write(db: Session, data: dict) -> Any:
        require_unit_write(committee(db).id)
        return situations.record_report(db, row, data, settings)

    if form.submit(write) is not None:
        flash(_("The report was recorded."))
        return redirect(township_url(".situation", situation_id=row.id))
    return situation(situation_id, form=form), 422
