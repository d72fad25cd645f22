"""The reporting API, mounted by core at ``/api/v1/townships/<township>/reporting``. Every
record is the township committee's, so writers need the committee in their scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask.views import MethodView

from zerenzhi import (
    Blueprint,
    SelectPage,
    committee,
    get_or_404,
    not_found,
    plugin_settings,
    require_unit_write,
    requires,
    session,
    writing,
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


def _settings() -> dict:
    return plugin_settings("reporting")


def _write(action: Callable[..., Any], *args: Any) -> Any:
    """Run a service write for the committee (scope-checked) in one transaction."""
    with writing() as db:
        require_unit_write(committee(db).id)
        return action(db, *args)


def _situation(row: ReportingSituation) -> dict:
    """One situation as the API shows it: the same as in a list."""
    return situations.shown(session(), [row])[0]


class SituationPage(SelectPage):
    """A page of situations as the API shows them, computed for the whole page at once."""

    @property
    def items(self) -> list[dict]:
        return situations.shown(session(), super().items)


# --- R1: meetings -------------------------------------------------------------------------


@blp.route("/meetings")
class Meetings(MethodView):
    @requires("reporting.meeting.read")
    @blp.arguments(ReportingListQuery, location="query")
    @blp.response(200, ReportingMeetingOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The committee's special meetings on ideology work, newest first."""
        return services.listing(ReportingMeeting, ReportingMeeting.held_on, query)

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
        return get_or_404(ReportingMeeting, meeting_id)

    @requires("reporting.meeting.write")
    @blp.etag
    @blp.arguments(ReportingMeetingPatch)
    @blp.response(200, ReportingMeetingOut)
    def patch(self, data, meeting_id):
        """Change a meeting (If-Match); a new date moves its ledger entry."""
        row = get_or_404(ReportingMeeting, meeting_id)
        blp.check_etag(row, ReportingMeetingOut)
        return _write(services.update_meeting, row, data)

    @requires("reporting.meeting.write")
    @blp.etag
    @blp.response(204)
    def delete(self, meeting_id):
        """Archive a meeting (If-Match): it stops counting."""
        row = get_or_404(ReportingMeeting, meeting_id)
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
        return services.half_year_reports(query)

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
        return get_or_404(ReportingHalfYearReport, report_id)

    @requires("reporting.report.write")
    @blp.etag
    @blp.arguments(ReportingHalfYearPatch)
    @blp.response(200, ReportingHalfYearOut)
    def patch(self, data, report_id):
        """Edit a draft (If-Match); submitted reports are what went up and stay so."""
        row = get_or_404(ReportingHalfYearReport, report_id)
        blp.check_etag(row, ReportingHalfYearOut)
        return _write(services.update_half_year, row, data)

    @requires("reporting.report.write")
    @blp.etag
    @blp.response(204)
    def delete(self, report_id):
        """Archive a report (If-Match): a submitted one stops counting."""
        row = get_or_404(ReportingHalfYearReport, report_id)
        blp.check_etag(row, ReportingHalfYearOut)
        _write(services.archive, row, services.HALF_YEAR)


@blp.route("/half-year-reports/<uuid:report_id>/submit")
class HalfYearSubmit(MethodView):
    @requires("reporting.report.write")
    @blp.arguments(ReportingSubmitIn)
    @blp.response(200, ReportingHalfYearOut)
    def post(self, data, report_id):
        """Submitted to the higher committee (date, recipient): it now counts (R1)."""
        row = get_or_404(ReportingHalfYearReport, report_id)
        return _write(services.submit_half_year, row, data)


@blp.route("/half-year-reports/<uuid:report_id>/acknowledge")
class HalfYearAcknowledge(MethodView):
    @requires("reporting.report.write")
    @blp.arguments(ReportingAcknowledgeIn)
    @blp.response(200, ReportingHalfYearOut)
    def post(self, data, report_id):
        """The higher committee acknowledged receipt."""
        row = get_or_404(ReportingHalfYearReport, report_id)
        return _write(services.acknowledge_half_year, row, data)


@blp.route("/half-year-reports/<uuid:report_id>/export.docx")
class HalfYearExport(MethodView):
    @requires("reporting.report.read")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=export.DOCX,
                  description="the report as it is sent upward")
    def get(self, report_id):
        """The report as a .docx: title, recipient, sections, issuing committee and date."""
        row = get_or_404(ReportingHalfYearReport, report_id)
        with writing() as db:
            content = export.docx(db, row, _settings())
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
        return services.listing(ReportingAssemblyReport, ReportingAssemblyReport.delivered_on,
                                query)

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
        return get_or_404(ReportingAssemblyReport, report_id)

    @requires("reporting.report.write")
    @blp.etag
    @blp.arguments(ReportingAssemblyPatch)
    @blp.response(200, ReportingAssemblyOut)
    def patch(self, data, report_id):
        """Change an assembly report (If-Match); adding or removing the ideology section
        makes it count or not."""
        row = get_or_404(ReportingAssemblyReport, report_id)
        blp.check_etag(row, ReportingAssemblyOut)
        return _write(services.update_assembly, row, data)

    @requires("reporting.report.write")
    @blp.etag
    @blp.response(204)
    def delete(self, report_id):
        """Archive an assembly report (If-Match)."""
        row = get_or_404(ReportingAssemblyReport, report_id)
        blp.check_etag(row, ReportingAssemblyOut)
        _write(services.archive, row, services.ASSEMBLY)


# --- R3: major situations -----------------------------------------------------------------


@blp.route("/situations")
class Situations(MethodView):
    @requires("reporting.situation.read")
    @blp.arguments(ReportingListQuery, location="query")
    @blp.response(200, ReportingSituationOut(many=True))
    @blp.paginate(SituationPage)
    def get(self, query):
        """Major situations, newest first, each with its deadline and report status."""
        return situations.listing(query)

    @requires("reporting.situation.write")
    @blp.arguments(ReportingSituationIn)
    @blp.response(201, ReportingSituationOut)
    def post(self, data):
        """Record a major situation: R3's deadline (24 h by default) starts now."""
        return _situation(_write(situations.record_situation, data))


@blp.route("/situations/<uuid:situation_id>")
class SituationItem(MethodView):
    @requires("reporting.situation.read")
    @blp.etag
    @blp.response(200, ReportingSituationOut)
    def get(self, situation_id):
        """One situation with its reports."""
        return _situation(get_or_404(ReportingSituation, situation_id))

    @requires("reporting.situation.write")
    @blp.etag
    @blp.arguments(ReportingSituationPatch)
    @blp.response(200, ReportingSituationOut)
    def patch(self, data, situation_id):
        """Correct the title or description (If-Match); the deadline does not move."""
        row = get_or_404(ReportingSituation, situation_id)
        blp.check_etag(_situation(row), ReportingSituationOut)
        return _situation(_write(situations.update_situation, row, data))


@blp.route("/situations/<uuid:situation_id>/reports")
class SituationReports(MethodView):
    @requires("reporting.situation.read")
    @blp.response(200, ReportingSituationReportOut(many=True))
    def get(self, situation_id):
        """The reports made on a situation, archived ones included."""
        row = get_or_404(ReportingSituation, situation_id)
        reports = situations.reports_of(session(), row, include_archived=True)
        return situations.shown_reports(row, reports)

    @requires("reporting.situation.write")
    @blp.arguments(ReportingSituationReportIn)
    @blp.response(201, ReportingSituationReportOut)
    def post(self, data, situation_id):
        """Report the situation upward with proposals: fulfils R3 (late stays late)."""
        row = get_or_404(ReportingSituation, situation_id)
        report = _write(situations.record_report, row, data, _settings())
        return situations.shown_reports(row, [report])[0]


@blp.route("/situations/<uuid:situation_id>/reports/<uuid:report_id>")
class SituationReportItem(MethodView):
    @requires("reporting.situation.write")
    @blp.response(204)
    def delete(self, situation_id, report_id):
        """Archive a report made in error: the situation awaits a report again."""
        report = get_or_404(ReportingSituationReport, report_id)
        if report.situation_id != situation_id:  # another situation's report is unknown here
            not_found()
        _write(services.archive, report, situations.REPORT)
