"""The annual assessment's API (M4, I4). Core mounts ``blp`` at
``/api/v1/townships/<township>/assessment``; ``<year>`` is a plain path segment so that
anything but a plausible year is a 404, like an unknown record."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from zerenzhi import (
    Blueprint,
    ListQuery,
    OrgUnit,
    SelectPage,
    get_or_404,
    listed,
    not_found,
    plugin_settings,
    require_unit_write,
    requires,
    session,
    writing,
)
from zerenzhi.plugins.assessment import services
from zerenzhi.plugins.assessment.models import Adjustment, Assessment, InspectionScore
from zerenzhi.plugins.assessment.schemas import (
    AssessmentAdjustment,
    AssessmentAdjustmentIn,
    AssessmentComputeIn,
    AssessmentInspectionScore,
    AssessmentInspectionScoreIn,
    AssessmentReopenIn,
    AssessmentTable,
    AssessmentYearSummary,
)

blp = Blueprint("assessment", __name__,
                description="Annual assessment of every unit (考覈, M4, I4)")


def _year_or_404(text: str) -> int:
    year = services.parse_year(text)
    if year is None:
        not_found()
    return year


def _assessment_or_404(text: str) -> Assessment:
    assessment = services.get_assessment(session(), _year_or_404(text))
    if assessment is None:
        not_found()
    return assessment


def _settings() -> dict:
    return plugin_settings("assessment")


def _caps() -> dict[str, float]:
    """The township's caps on a unit's net adjustment in a year."""
    settings = _settings()
    return {"max_bonus": settings["max_bonus"], "max_deduction": settings["max_deduction"]}


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
        return services.table(session(), _assessment_or_404(year))


@blp.route("/years/<year>/compute")
class Compute(MethodView):
    @requires("assessment.score.write")
    @blp.arguments(AssessmentComputeIn)
    @blp.response(200, AssessmentTable)
    def post(self, data, year):
        """Snapshot every active unit's score from the ledger, the inspection scores, the
        adjustments and the township's weights; ``finalise`` freezes it (assessment.annual)."""
        number = _year_or_404(year)
        with writing() as db:
            return services.table(db, services.compute(db, number, settings=_settings(),
                                                       finalise=data["finalise"]))


@blp.route("/years/<year>/reopen")
class Reopen(MethodView):
    @requires("assessment.year.reopen")
    @blp.arguments(AssessmentReopenIn)
    @blp.response(200, AssessmentTable)
    def post(self, data, year):
        """Make a final assessment a draft again, with a reason (its evidence is withdrawn)."""
        assessment = _assessment_or_404(year)
        with writing() as db:
            return services.table(db, services.reopen(db, assessment, data["reason"]))


@blp.route("/years/<year>/inspection-scores")
class InspectionScores(MethodView):
    @requires("assessment.score.read")
    @blp.response(200, AssessmentInspectionScore(many=True))
    @blp.paginate(SelectPage)
    def get(self, year):
        """The inspection scores entered for the year."""
        return (select(InspectionScore).where(InspectionScore.year == _year_or_404(year))
                .order_by(InspectionScore.unit_id))


@blp.route("/years/<year>/inspection-scores/<uuid:unit_id>")
class InspectionScoreItem(MethodView):
    @requires("assessment.score.write")
    @blp.arguments(AssessmentInspectionScoreIn)
    @blp.response(200, AssessmentInspectionScore)
    def put(self, data, year, unit_id):
        """Enter a unit's score from the year's inspection (I1–I4); ``null`` clears it."""
        number, unit = _year_or_404(year), get_or_404(OrgUnit, unit_id, include_archived=False)
        require_unit_write(unit.id)
        with writing() as db:
            return services.set_inspection_score(db, number, unit.id, **data)


@blp.route("/years/<year>/adjustments")
class Adjustments(MethodView):
    @requires("assessment.score.read")
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, AssessmentAdjustment(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, year):
        """The year's manual adjustments with their reasons, newest first."""
        return listed(Adjustment, query, order_by=(Adjustment.created_at.desc(), Adjustment.id)
                      ).where(Adjustment.year == _year_or_404(year))

    @requires("assessment.adjustment.write")
    @blp.arguments(AssessmentAdjustmentIn)
    @blp.response(201, AssessmentAdjustment)
    def post(self, data, year):
        """Add or take points for a unit, with a reason (audited); the township's caps hold."""
        number = _year_or_404(year)
        require_unit_write(data["unit_id"])
        with writing() as db:
            return services.add_adjustment(db, number, **data, **_caps())


@blp.route("/adjustments/<uuid:adjustment_id>")
class AdjustmentItem(MethodView):
    @requires("assessment.score.read")
    @blp.etag
    @blp.response(200, AssessmentAdjustment)
    def get(self, adjustment_id):
        """One adjustment."""
        return get_or_404(Adjustment, adjustment_id)

    @requires("assessment.adjustment.write")
    @blp.etag
    @blp.response(204)
    def delete(self, adjustment_id):
        """Withdraw an adjustment (archived, never deleted; send If-Match with its ETag)."""
        adjustment = get_or_404(Adjustment, adjustment_id)
        blp.check_etag(adjustment, AssessmentAdjustment)
        with writing() as db:
            services.archive_adjustment(db, adjustment)
