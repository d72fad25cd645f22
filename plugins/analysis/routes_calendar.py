"""Sensitive dates and hot topics (A3); contributions from departments and units (A1)."""

from __future__ import annotations

from flask.views import MethodView

from zerenzhi import (
    SelectPage,
    committee,
    get_or_404,
    not_found,
    require_unit_write,
    requires,
    session,
    writing,
)
from zerenzhi.plugins.analysis import calendar
from zerenzhi.plugins.analysis.blueprint import blp, shown_page
from zerenzhi.plugins.analysis.common import caller
from zerenzhi.plugins.analysis.models import Analysis, Contribution, SensitiveDate
from zerenzhi.plugins.analysis.schemas import (
    AnalysisContribution,
    AnalysisContributionIn,
    AnalysisContributionQuery,
    AnalysisSensitiveDate,
    AnalysisSensitiveDateIn,
    AnalysisSensitiveDatePatch,
    AnalysisSensitiveDateQuery,
    AnalysisSubmissionIn,
)


def _own_date(date_id) -> SensitiveDate:
    """A date the township may change: its If-Match checked, the caller's posts reaching
    its committee, and not one inherited from the county (409)."""
    date = get_or_404(SensitiveDate, date_id)
    blp.check_etag(calendar.show_date(session(), date), AnalysisSensitiveDate)
    require_unit_write(date.unit_id)
    calendar.owned(date)
    return date


def _contribution_of(analysis_id, contribution_id) -> Contribution:
    """The contribution, if it was asked for that analysis: another's is as unknown (404)."""
    contribution = get_or_404(Contribution, contribution_id)
    if contribution.analysis_id != analysis_id:
        not_found()
    return contribution


@blp.route("/sensitive-dates")
class SensitiveDates(MethodView):
    @requires("analysis.analysis.read")
    @blp.arguments(AnalysisSensitiveDateQuery, location="query")
    @blp.response(200, AnalysisSensitiveDate(many=True))
    @blp.paginate(shown_page(calendar.show_dates))
    def get(self, query):
        """The township's calendar of sensitive dates and hot topics, soonest first,
        including those inherited from the county (``inherited``). Reading writes nothing:
        the worker's ``analysis.inherit_county_dates`` job makes the copies."""
        return calendar.sensitive_dates(query)

    @requires("analysis.sensitive_date.write")
    @blp.arguments(AnalysisSensitiveDateIn)
    @blp.response(201, AnalysisSensitiveDate)
    def post(self, data):
        """Add a sensitive date or hot topic: it starts ``analysis.sensitive_date``, a
        forward-looking analysis due 7 days before the date (the rule's deadline) or, for a
        hot topic, ``hot_topic_hours`` after it is recorded (a setting, 48 h; A3)."""
        with writing() as db:
            require_unit_write(committee(db).id)
            return calendar.show_date(db, calendar.create_sensitive_date(db, **data))


@blp.route("/sensitive-dates/<uuid:sensitive_date_id>")
class SensitiveDateItem(MethodView):
    @requires("analysis.analysis.read")
    @blp.etag
    @blp.response(200, AnalysisSensitiveDate)
    def get(self, sensitive_date_id):
        """One sensitive date, its obligation's status and the analyses linked to it."""
        return calendar.show_date(session(), get_or_404(SensitiveDate, sensitive_date_id))

    @requires("analysis.sensitive_date.write")
    @blp.etag
    @blp.arguments(AnalysisSensitiveDatePatch)
    @blp.response(200, AnalysisSensitiveDate)
    def patch(self, data, sensitive_date_id):
        """Change a date (a sensitive date's deadline moves with it) or its description
        (send If-Match); its kind stays (422): archive it and record anew."""
        date = _own_date(sensitive_date_id)
        with writing() as db:
            return calendar.show_date(db, calendar.update_sensitive_date(db, date, data))

    @requires("analysis.sensitive_date.write")
    @blp.etag
    @blp.response(204)
    def delete(self, sensitive_date_id):
        """Archive a date: its obligation closes; linked analyses stop counting for it."""
        date = _own_date(sensitive_date_id)
        with writing() as db:
            calendar.archive_sensitive_date(db, date)


@blp.route("/contributions")
class AllContributions(MethodView):
    @requires("analysis.analysis.read")
    @blp.arguments(AnalysisContributionQuery, location="query")
    @blp.response(200, AnalysisContribution(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Contributions across analyses; ``late=true`` shows the overdue and the late (A1)."""
        return calendar.contributions(query)


@blp.route("/analyses/<uuid:analysis_id>/contributions")
class Contributions(MethodView):
    @requires("analysis.analysis.read")
    @blp.arguments(AnalysisContributionQuery, location="query")
    @blp.response(200, AnalysisContribution(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, analysis_id):
        """The contributions asked for this analysis, by due date."""
        analysis = get_or_404(Analysis, analysis_id)
        return calendar.contributions({**query, "analysis_id": analysis.id})

    @requires("analysis.analysis.write")
    @blp.arguments(AnalysisContributionIn)
    @blp.response(201, AnalysisContribution)
    def post(self, data, analysis_id):
        """Ask a department or unit for its part by a due date (A1)."""
        analysis = get_or_404(Analysis, analysis_id)
        require_unit_write(analysis.unit_id)
        with writing() as db:
            return calendar.assign(db, analysis, **data)


@blp.route("/analyses/<uuid:analysis_id>/contributions/<uuid:contribution_id>/submission")
class Submission(MethodView):
    @requires("analysis.contribution.submit")
    @blp.arguments(AnalysisSubmissionIn)
    @blp.response(200, AnalysisContribution)
    def post(self, data, analysis_id, contribution_id):
        """The unit hands in its part (only for its own unit); late ones stay marked."""
        contribution = _contribution_of(analysis_id, contribution_id)
        require_unit_write(contribution.unit_id)
        with writing() as db:
            return calendar.submit(db, contribution, content=data["content"], actor=caller())
