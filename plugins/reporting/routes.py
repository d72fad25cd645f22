"""The reporting API, mounted by core at ``/api/v1/townships/<township>/reporting``. Every
record is the township committee's, so writers need the committee in their scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from zerenzhi import (
    SelectPage,
    audit_event,
    not_found,
    plugin_settings,
    require_unit_write,
    requires,
    session,
)
from zerenzhi.plugins.reporting import export, services, situations
from zerenzhi.plugins.reporting.models import (
    ReportingAssemblyReport,
    ReportingHalfYearReport,
    ReportingMeeting,
    ReportingSituation,
    ReportingSituationReport,
)
from zerenzhi.plugins.reporting.schemas import (
    ReportingAcknowledgeIn,
    ReportingAssemblyIn,
    ReportingAssemblyOut,
    ReportingAssemblyPatch,
    ReportingHalfYearIn,
    ReportingHalfYearOut,
    ReportingHalfYearPatch,
    ReportingHalfYearQuery,
    ReportingListQuery,
    ReportingMeetingIn,
    ReportingMeetingOut,
    ReportingMeetingPatch,
    ReportingSituationIn,
    ReportingSituationOut,
    ReportingSituationPatch,
    ReportingSituationReportIn,
    ReportingSituationReportOut,
    ReportingSubmitIn,
)

blp = Blueprint("reporting", __name__,
                description="Committee meetings on ideology and reports upward (報告; R1–R3)")


def _fail(error: services.ReportingError):
    session().rollback()
    abort(error.status, message=error.message, errors={"json": {error.field: [error.message]}})


def _settings() -> dict:
    return plugin_settings("reporting")


def _one(model: Any, record_id) -> Any:
    row = session().scalar(select(model).where(model.id == record_id))
    if row is None:
        not_found()
    return row


def _write(action, *args) -> Any:
    """Run a service write for the committee (scope-checked), commit, return its result."""
    try:
        require_unit_write(services.committee(session()).id)
        result = action(session(), *args)
    except services.ReportingError as error:
        _fail(error)
    session().commit()
    return result


def _listing(model: Any, day_column: Any, query: dict):
    statement = select(model).order_by(day_column.desc(), model.id.desc())
    if not query["include_archived"]:
        statement = statement.where(model.archived_at.is_(None))
    if "year" in query:
        statement = statement.where(day_column.between(dt.date(query["year"], 1, 1),
                                                       dt.date(query["year"], 12, 31)))
    return statement


# --- R1: meetings -------------------------------------------------------------------------


@blp.route("/meetings")
class Meetings(MethodView):
    @requires("reporting.meeting.read")
    @blp.arguments(ReportingListQuery, location="query")
    @blp.response(200, ReportingMeetingOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The committee's special meetings on ideology work, newest first."""
        return _listing(ReportingMeeting, ReportingMeeting.held_on, query)

    @requires("reporting.meeting.write")
    @blp.arguments(ReportingMeetingIn)
    @blp.response(201, ReportingMeetingOut)
    def post(self, data):
        """Record a meeting; it counts toward R1's meeting each half-year."""
        return _write(services.record_meeting, data)


@blp.route("/meetings/<uuid:meeting_id>")
class MeetingItem(MethodView):
    @requires("reporting.meeting.read")
    @blp.etag
    @blp.response(200, ReportingMeetingOut)
    def get(self, meeting_id):
        """One meeting."""
        return _one(ReportingMeeting, meeting_id)

    @requires("reporting.meeting.write")
    @blp.etag
    @blp.arguments(ReportingMeetingPatch)
    @blp.response(200, ReportingMeetingOut)
    def patch(self, data, meeting_id):
        """Change a meeting (If-Match); a new date moves its ledger entry."""
        row = _one(ReportingMeeting, meeting_id)
        blp.check_etag(row, ReportingMeetingOut)
        return _write(services.update_meeting, row, data)

    @requires("reporting.meeting.write")
    @blp.etag
    @blp.response(204)
    def delete(self, meeting_id):
        """Archive a meeting (If-Match): it stops counting."""
        row = _one(ReportingMeeting, meeting_id)
        blp.check_etag(row, ReportingMeetingOut)
        _write(services.archive, row, services.MEETING)


# --- R1: half-year reports ----------------------------------------------------------------


@blp.route("/half-year-reports")
class HalfYearReports(MethodView):
    @requires("reporting.report.read")
    @blp.arguments(ReportingHalfYearQuery, location="query")
    @blp.response(200, ReportingHalfYearOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Half-year reports to the higher committee, newest period first."""
        statement = select(ReportingHalfYearReport).order_by(
            ReportingHalfYearReport.period.desc(), ReportingHalfYearReport.id.desc())
        if not query["include_archived"]:
            statement = statement.where(ReportingHalfYearReport.archived_at.is_(None))
        if "year" in query:
            statement = statement.where(ReportingHalfYearReport.period.in_(
                [f"{query['year']}H1", f"{query['year']}H2"]))
        if "status" in query:
            statement = statement.where(ReportingHalfYearReport.status == query["status"])
        return statement

    @requires("reporting.report.write")
    @blp.arguments(ReportingHalfYearIn)
    @blp.response(201, ReportingHalfYearOut)
    def post(self, data):
        """Start a draft; it counts only once submitted."""
        return _write(services.create_half_year, data, _settings())


@blp.route("/half-year-reports/<uuid:report_id>")
class HalfYearReportItem(MethodView):
    @requires("reporting.report.read")
    @blp.etag
    @blp.response(200, ReportingHalfYearOut)
    def get(self, report_id):
        """One half-year report."""
        return _one(ReportingHalfYearReport, report_id)

    @requires("reporting.report.write")
    @blp.etag
    @blp.arguments(ReportingHalfYearPatch)
    @blp.response(200, ReportingHalfYearOut)
    def patch(self, data, report_id):
        """Edit a draft (If-Match); submitted reports are what went up and stay so."""
        row = _one(ReportingHalfYearReport, report_id)
        blp.check_etag(row, ReportingHalfYearOut)
        return _write(services.update_half_year, row, data)

    @requires("reporting.report.write")
    @blp.etag
    @blp.response(204)
    def delete(self, report_id):
        """Archive a report (If-Match): a submitted one stops counting."""
        row = _one(ReportingHalfYearReport, report_id)
        blp.check_etag(row, ReportingHalfYearOut)
        _write(services.archive, row, services.HALF_YEAR)


@blp.route("/half-year-reports/<uuid:report_id>/submit")
class HalfYearSubmit(MethodView):
    @requires("reporting.report.write")
    @blp.arguments(ReportingSubmitIn)
    @blp.response(200, ReportingHalfYearOut)
    def post(self, data, report_id):
        """Submitted to the higher committee (date, recipient): it now counts (R1)."""
        return _write(services.submit_half_year, _one(ReportingHalfYearReport, report_id), data)


@blp.route("/half-year-reports/<uuid:report_id>/acknowledge")
class HalfYearAcknowledge(MethodView):
    @requires("reporting.report.write")
    @blp.arguments(ReportingAcknowledgeIn)
    @blp.response(200, ReportingHalfYearOut)
    def post(self, data, report_id):
        """The higher committee acknowledged receipt."""
        return _write(services.acknowledge_half_year, _one(ReportingHalfYearReport, report_id),
                      data)


@blp.route("/half-year-reports/<uuid:report_id>/export.docx")
class HalfYearExport(MethodView):
    @requires("reporting.report.read")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=export.DOCX,
                  description="the report as it is sent upward")
    def get(self, report_id):
        """The report as a .docx: title, recipient, sections, issuing committee and date."""
        row = _one(ReportingHalfYearReport, report_id)
        unit = services.committee(session())
        issuer = _settings()["issuing_committee"] or unit.name
        content = export.render(row, issuer, row.submitted_on or services.today())
        audit_event(session(), "reporting_half_year_report.export", "reporting_half_year_report",
                    row.id, after={"format": "docx"})
        session().commit()
        return Response(content, mimetype=export.DOCX, headers={
            "Content-Disposition": f"attachment; filename=report-{row.period}.docx"})


# --- R2: assembly reports -----------------------------------------------------------------


@blp.route("/assembly-reports")
class AssemblyReports(MethodView):
    @requires("reporting.report.read")
    @blp.arguments(ReportingListQuery, location="query")
    @blp.response(200, ReportingAssemblyOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The committee's reports to the party members' assembly."""
        return _listing(ReportingAssemblyReport, ReportingAssemblyReport.delivered_on, query)

    @requires("reporting.report.write")
    @blp.arguments(ReportingAssemblyIn)
    @blp.response(201, ReportingAssemblyOut)
    def post(self, data):
        """Record an assembly report; it counts (R2) only with an ideology section."""
        return _write(services.record_assembly, data)


@blp.route("/assembly-reports/<uuid:report_id>")
class AssemblyReportItem(MethodView):
    @requires("reporting.report.read")
    @blp.etag
    @blp.response(200, ReportingAssemblyOut)
    def get(self, report_id):
        """One assembly report."""
        return _one(ReportingAssemblyReport, report_id)

    @requires("reporting.report.write")
    @blp.etag
    @blp.arguments(ReportingAssemblyPatch)
    @blp.response(200, ReportingAssemblyOut)
    def patch(self, data, report_id):
        """Change an assembly report (If-Match); adding or removing the ideology section
        makes it count or not."""
        row = _one(ReportingAssemblyReport, report_id)
        blp.check_etag(row, ReportingAssemblyOut)
        return _write(services.update_assembly, row, data)

    @requires("reporting.report.write")
    @blp.etag
    @blp.response(204)
    def delete(self, report_id):
        """Archive an assembly report (If-Match)."""
        row = _one(ReportingAssemblyReport, report_id)
        blp.check_etag(row, ReportingAssemblyOut)
        _write(services.archive, row, services.ASSEMBLY)


# --- R3: major situations -----------------------------------------------------------------


@blp.route("/situations")
class Situations(MethodView):
    @requires("reporting.situation.read")
    @blp.arguments(ReportingListQuery, location="query")
    @blp.response(200, ReportingSituationOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Major situations, newest first, each with its deadline and report status."""
        statement = select(ReportingSituation).order_by(ReportingSituation.occurred_at.desc(),
                                                        ReportingSituation.id.desc())
        if not query["include_archived"]:
            statement = statement.where(ReportingSituation.archived_at.is_(None))
        if "year" in query:
            statement = statement.where(
                ReportingSituation.occurred_at >= dt.datetime(query["year"], 1, 1, tzinfo=dt.UTC),
                ReportingSituation.occurred_at < dt.datetime(query["year"] + 1, 1, 1,
                                                             tzinfo=dt.UTC))
        return statement

    @requires("reporting.situation.write")
    @blp.arguments(ReportingSituationIn)
    @blp.response(201, ReportingSituationOut)
    def post(self, data):
        """Record a major situation: R3's deadline (24 h by default) starts now."""
        return _write(situations.record_situation, data)


@blp.route("/situations/<uuid:situation_id>")
class SituationItem(MethodView):
    @requires("reporting.situation.read")
    @blp.etag
    @blp.response(200, ReportingSituationOut)
    def get(self, situation_id):
        """One situation with its reports."""
        return _one(ReportingSituation, situation_id)

    @requires("reporting.situation.write")
    @blp.etag
    @blp.arguments(ReportingSituationPatch)
    @blp.response(200, ReportingSituationOut)
    def patch(self, data, situation_id):
        """Correct the title or description (If-Match); the deadline does not move."""
        row = _one(ReportingSituation, situation_id)
        blp.check_etag(row, ReportingSituationOut)
        return _write(situations.update_situation, row, data)


@blp.route("/situations/<uuid:situation_id>/reports")
class SituationReports(MethodView):
    @requires("reporting.situation.read")
    @blp.response(200, ReportingSituationReportOut(many=True))
    def get(self, situation_id):
        """The reports made on a situation, archived ones included."""
        row = _one(ReportingSituation, situation_id)
        return situations.reports_of(session(), row, include_archived=True)

    @requires("reporting.situation.write")
    @blp.arguments(ReportingSituationReportIn)
    @blp.response(201, ReportingSituationReportOut)
    def post(self, data, situation_id):
        """Report the situation upward with proposals: fulfils R3 (late stays late)."""
        row = _one(ReportingSituation, situation_id)
        return _write(situations.record_report, row, data, _settings())


@blp.route("/situations/<uuid:situation_id>/reports/<uuid:report_id>")
class SituationReportItem(MethodView):
    @requires("reporting.situation.write")
    @blp.response(204)
    def delete(self, situation_id, report_id):
        """Archive a report made in error: the situation awaits a report again."""
        row = session().scalar(select(ReportingSituationReport).where(
            ReportingSituationReport.id == report_id,
            ReportingSituationReport.situation_id == situation_id))
        if row is None:
            not_found()
        _write(services.archive, row, situations.REPORT)
