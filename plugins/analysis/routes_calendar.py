"""Sensitive dates and hot topics (A3); contributions from departments and units (A1)."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import and_, or_, select

from zerenzhi import SelectPage, not_found, require_unit_write, requires, session
from zerenzhi.plugins.analysis import calendar, county
from zerenzhi.plugins.analysis.blueprint import blp, fail
from zerenzhi.plugins.analysis.common import AnalysisError, caller, committee, today
from zerenzhi.plugins.analysis.models import Contribution, SensitiveDate
from zerenzhi.plugins.analysis.routes import _analysis_or_404
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


def _date_or_404(date_id) -> SensitiveDate:
    date = calendar.get_sensitive_date(session(), date_id)
    if date is None:
        not_found()
    return date


@blp.route("/sensitive-dates")
class SensitiveDates(MethodView):
    @requires("analysis.analysis.read")
    @blp.arguments(AnalysisSensitiveDateQuery, location="query")
    @blp.response(200, AnalysisSensitiveDate(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The township's calendar of sensitive dates and hot topics, soonest first,
        including those inherited from the county (``inherited``)."""
        if county.inherit(session()):
            session().commit()
        statement = select(SensitiveDate).order_by(SensitiveDate.falls_on, SensitiveDate.id)
        if not query["include_archived"]:
            statement = statement.where(SensitiveDate.archived_at.is_(None))
        if "start" in query:
            statement = statement.where(SensitiveDate.falls_on >= query["start"])
        if "end" in query:
            statement = statement.where(SensitiveDate.falls_on <= query["end"])
        return statement

    @requires("analysis.sensitive_date.write")
    @blp.arguments(AnalysisSensitiveDateIn)
    @blp.response(201, AnalysisSensitiveDate)
    def post(self, data):
        """Add a sensitive date or hot topic: it starts ``analysis.sensitive_date``, a
        forward-looking analysis due 7 days before (the township's deadline setting)."""
        sess = session()
        try:
            require_unit_write(committee(sess).id)
            date = calendar.create_sensitive_date(sess, **data)
        except AnalysisError as error:
            fail(error)
        sess.commit()
        return date


@blp.route("/sensitive-dates/<uuid:sensitive_date_id>")
class SensitiveDateItem(MethodView):
    @requires("analysis.analysis.read")
    @blp.etag
    @blp.response(200, AnalysisSensitiveDate)
    def get(self, sensitive_date_id):
        """One sensitive date, its obligation's status and the analyses linked to it."""
        return _date_or_404(sensitive_date_id)

    @requires("analysis.sensitive_date.write")
    @blp.etag
    @blp.arguments(AnalysisSensitiveDatePatch)
    @blp.response(200, AnalysisSensitiveDate)
    def patch(self, data, sensitive_date_id):
        """Change a date (its deadline moves with it) or its description (send If-Match)."""
        date = _date_or_404(sensitive_date_id)
        blp.check_etag(date, AnalysisSensitiveDate)
        require_unit_write(date.unit_id)
        try:
            calendar.owned(date)
            calendar.update_sensitive_date(session(), date, data)
        except AnalysisError as error:
            fail(error)
        session().commit()
        return date

    @requires("analysis.sensitive_date.write")
    @blp.etag
    @blp.response(204)
    def delete(self, sensitive_date_id):
        """Archive a date: its obligation closes; linked analyses stop counting for it."""
        date = _date_or_404(sensitive_date_id)
        blp.check_etag(date, AnalysisSensitiveDate)
        require_unit_write(date.unit_id)
        try:
            calendar.owned(date)
        except AnalysisError as error:
            fail(error)
        calendar.archive_sensitive_date(session(), date)
        session().commit()


def _contributions(query: dict):
    statement = select(Contribution).order_by(Contribution.due_on, Contribution.id)
    if not query["include_archived"]:
        statement = statement.where(Contribution.archived_at.is_(None))
    if "unit_id" in query:
        statement = statement.where(Contribution.unit_id == query["unit_id"])
    on = today()
    overdue = and_(Contribution.submitted_on.is_(None), Contribution.due_on < on)
    late = Contribution.submitted_on > Contribution.due_on
    conditions = {
        "pending": and_(Contribution.submitted_on.is_(None), Contribution.due_on >= on),
        "overdue": overdue,
        "submitted": Contribution.submitted_on <= Contribution.due_on,
        "submitted_late": late,
    }
    if "status" in query:
        statement = statement.where(conditions[query["status"]])
    if query.get("late") is True:
        statement = statement.where(or_(overdue, late))
    elif query.get("late") is False:
        statement = statement.where(~or_(overdue, late))
    return statement


@blp.route("/contributions")
class AllContributions(MethodView):
    @requires("analysis.analysis.read")
    @blp.arguments(AnalysisContributionQuery, location="query")
    @blp.response(200, AnalysisContribution(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Contributions across analyses; ``late=true`` shows the overdue and the late (A1)."""
        return _contributions(query)


@blp.route("/analyses/<uuid:analysis_id>/contributions")
class Contributions(MethodView):
    @requires("analysis.analysis.read")
    @blp.arguments(AnalysisContributionQuery, location="query")
    @blp.response(200, AnalysisContribution(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, analysis_id):
        """The contributions asked for this analysis, by due date."""
        analysis = _analysis_or_404(analysis_id)
        return _contributions(query).where(Contribution.analysis_id == analysis.id)

    @requires("analysis.analysis.write")
    @blp.arguments(AnalysisContributionIn)
    @blp.response(201, AnalysisContribution)
    def post(self, data, analysis_id):
        """Ask a department or unit for its part by a due date (A1)."""
        analysis = _analysis_or_404(analysis_id)
        require_unit_write(analysis.unit_id)
        try:
            contribution = calendar.assign(session(), analysis, **data)
        except AnalysisError as error:
            fail(error)
        session().commit()
        return contribution


@blp.route("/analyses/<uuid:analysis_id>/contributions/<uuid:contribution_id>/submission")
class Submission(MethodView):
    @requires("analysis.contribution.submit")
    @blp.arguments(AnalysisSubmissionIn)
    @blp.response(200, AnalysisContribution)
    def post(self, data, analysis_id, contribution_id):
        """The unit hands in its part (only for its own unit); late ones stay marked."""
        contribution = calendar.get_contribution(session(), analysis_id, contribution_id)
        if contribution is None:
            not_found()
        require_unit_write(contribution.unit_id)
        try:
            calendar.submit(session(), contribution, content=data["content"], actor=caller())
        except AnalysisError as error:
            fail(error)
        session().commit()
        return contribution
