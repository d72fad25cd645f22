"""The annual assessment's API (M4, I4). Core mounts ``blp`` at
``/api/v1/townships/<township>/assessment``; ``<year>`` is a plain path segment so that
anything but a plausible year is a 404, like an unknown record."""

from __future__ import annotations

from typing import NoReturn

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from zerenzhi import (
    SelectPage,
    get_unit,
    not_found,
    plugin_settings,
    require_unit_write,
    requires,
)
from zerenzhi import session as db_session
from zerenzhi.plugins.assessment import services
from zerenzhi.plugins.assessment.models import Adjustment, Assessment, InspectionScore
from zerenzhi.plugins.assessment.schemas import (
    AssessmentAdjustment,
    AssessmentAdjustmentIn,
    AssessmentComputeIn,
    AssessmentInspectionScore,
    AssessmentInspectionScoreIn,
    AssessmentListQuery,
    AssessmentReopenIn,
    AssessmentTable,
    AssessmentYearSummary,
)

blp = Blueprint("assessment", __name__,
                description="Annual assessment of every unit (考覈, M4, I4)")


def _fail(error: services.AssessmentError) -> NoReturn:
    db_session().rollback()
    abort(error.status, message=error.message, errors={"json": {error.field: [error.message]}})


def _year_or_404(text: str) -> int:
    year = services.parse_year(text)
    if year is None:
        not_found()
    return year


def _assessment_or_404(text: str) -> Assessment:
    assessment = services.get_assessment(db_session(), _year_or_404(text))
    if assessment is None:
        not_found()
    return assessment


def _settings() -> dict:
    return plugin_settings("assessment")


@blp.route("/years")
class Years(MethodView):
    @requires("assessment.score.read")
    @blp.response(200, AssessmentYearSummary(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """The years assessed so far, newest first."""
        return select(Assessment).order_by(Assessment.year.desc())


@blp.route("/years/<year>")
class Year(MethodView):
    @requires("assessment.score.read")
    @blp.response(200, AssessmentTable)
    def get(self, year):
        """The ranked table of a year's latest snapshot (404 until computed)."""
        return services.table(db_session(), _assessment_or_404(year))


@blp.route("/years/<year>/compute")
class Compute(MethodView):
    @requires("assessment.score.write")
    @blp.arguments(AssessmentComputeIn)
    @blp.response(200, AssessmentTable)
    def post(self, data, year):
        """Snapshot every active unit's score from the ledger, the inspection scores, the
        adjustments and the township's weights; ``finalise`` freezes it (assessment.annual)."""
        number = _year_or_404(year)
        try:
            assessment = services.compute(db_session(), number, settings=_settings(),
                                          finalise=data["finalise"])
        except services.AssessmentError as error:
            _fail(error)
        result = services.table(db_session(), assessment)
        db_session().commit()
        return result


@blp.route("/years/<year>/reopen")
class Reopen(MethodView):
    @requires("assessment.year.reopen")
    @blp.arguments(AssessmentReopenIn)
    @blp.response(200, AssessmentTable)
    def post(self, data, year):
        """Make a final assessment a draft again, with a reason (its evidence is withdrawn)."""
        assessment = _assessment_or_404(year)
        try:
            services.reopen(db_session(), assessment, data["reason"])
        except services.AssessmentError as error:
            _fail(error)
        result = services.table(db_session(), assessment)
        db_session().commit()
        return result


@blp.route("/years/<year>/inspection-scores")
class InspectionScores(MethodView):
    @requires("assessment.score.read")
    @blp.response(200, AssessmentInspectionScore(many=True))
    @blp.paginate(SelectPage)
    def get(self, year):
        """The inspection scores entered for the year."""
        number = _year_or_404(year)
        return (select(InspectionScore).where(InspectionScore.year == number)
                .order_by(InspectionScore.unit_id))


@blp.route("/years/<year>/inspection-scores/<uuid:unit_id>")
class InspectionScoreItem(MethodView):
    @requires("assessment.score.write")
    @blp.arguments(AssessmentInspectionScoreIn)
    @blp.response(200, AssessmentInspectionScore)
    def put(self, data, year, unit_id):
        """Enter a unit's score from the year's inspection (I1–I4); ``null`` clears it."""
        number = _year_or_404(year)
        if get_unit(db_session(), unit_id, include_archived=False) is None:
            not_found()
        require_unit_write(unit_id)
        try:
            row = services.set_inspection_score(db_session(), number, unit_id, **data)
        except services.AssessmentError as error:
            _fail(error)
        db_session().commit()
        return row


@blp.route("/years/<year>/adjustments")
class Adjustments(MethodView):
    @requires("assessment.score.read")
    @blp.arguments(AssessmentListQuery, location="query")
    @blp.response(200, AssessmentAdjustment(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, year):
        """The year's manual adjustments with their reasons, newest first."""
        number = _year_or_404(year)
        statement = (select(Adjustment).where(Adjustment.year == number)
                     .order_by(Adjustment.created_at.desc(), Adjustment.id))
        if not query["include_archived"]:
            statement = statement.where(Adjustment.archived_at.is_(None))
        return statement

    @requires("assessment.adjustment.write")
    @blp.arguments(AssessmentAdjustmentIn)
    @blp.response(201, AssessmentAdjustment)
    def post(self, data, year):
        """Add or take points for a unit, with a reason (audited); the township's caps hold."""
        number = _year_or_404(year)
        require_unit_write(data["unit_id"])
        caps = _settings()
        try:
            adjustment = services.add_adjustment(
                db_session(), number, **data, max_bonus=caps["max_bonus"],
                max_deduction=caps["max_deduction"])
        except services.AssessmentError as error:
            _fail(error)
        db_session().commit()
        return adjustment


def _adjustment_or_404(adjustment_id) -> Adjustment:
    adjustment = db_session().scalar(select(Adjustment).where(Adjustment.id == adjustment_id))
    if adjustment is None:
        not_found()
    return adjustment


@blp.route("/adjustments/<uuid:adjustment_id>")
class AdjustmentItem(MethodView):
    @requires("assessment.score.read")
    @blp.etag
    @blp.response(200, AssessmentAdjustment)
    def get(self, adjustment_id):
        """One adjustment."""
        return _adjustment_or_404(adjustment_id)

    @requires("assessment.adjustment.write")
    @blp.etag
    @blp.response(204)
    def delete(self, adjustment_id):
        """Withdraw an adjustment (archived, never deleted; send If-Match with its ETag)."""
        adjustment = _adjustment_or_404(adjustment_id)
        blp.check_etag(adjustment, AssessmentAdjustment)
        try:
            services.archive_adjustment(db_session(), adjustment)
        except services.AssessmentError as error:
            _fail(error)
        db_session().commit()
