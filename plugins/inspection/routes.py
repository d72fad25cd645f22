"""Campaigns, checks and self-inspections, the checklist, ratings and scores (I1–I4)."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from zerenzhi import SelectPage, not_found, require_unit_write, requires, session
from zerenzhi.plugins.inspection import ratings, scores, services
from zerenzhi.plugins.inspection.blueprint import blp, fail
from zerenzhi.plugins.inspection.common import InspectionError
from zerenzhi.plugins.inspection.models import Campaign, Check, Rating
from zerenzhi.plugins.inspection.schemas import (
    InspectionCampaign,
    InspectionCampaignIn,
    InspectionCampaignPatch,
    InspectionCampaignQuery,
    InspectionCheck,
    InspectionCheckIn,
    InspectionChecklistItem,
    InspectionCheckQuery,
    InspectionPrefillQuery,
    InspectionRating,
    InspectionRatingIn,
    InspectionScore,
    InspectionSelfInspectionIn,
    InspectionSubmissionIn,
)


def campaign_or_404(campaign_id) -> Campaign:
    campaign = services.get_campaign(session(), campaign_id)
    if campaign is None:
        not_found()
    return campaign


@blp.route("/checklist")
class Checklist(MethodView):
    @requires("inspection.campaign.read")
    @blp.response(200, InspectionChecklistItem(many=True))
    def get(self):
        """The township's self-inspection checklist (settings ``checklist``; I2)."""
        return services.checklist()


@blp.route("/campaigns")
class Campaigns(MethodView):
    @requires("inspection.campaign.read")
    @blp.arguments(InspectionCampaignQuery, location="query")
    @blp.response(200, InspectionCampaign(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The township's campaigns, newest first, each with its coverage."""
        statement = select(Campaign).order_by(Campaign.started_on.desc(), Campaign.id.desc())
        if not query["include_archived"]:
            statement = statement.where(Campaign.archived_at.is_(None))
        if "period" in query:
            statement = statement.where(Campaign.period == query["period"])
        return statement

    @requires("inspection.campaign.write")
    @blp.arguments(InspectionCampaignIn)
    @blp.response(201, InspectionCampaign)
    def post(self, data):
        """Start the half-year special inspection led by the office (I1)."""
        try:
            campaign = services.create_campaign(session(), **data)
        except InspectionError as error:
            fail(error)
        session().commit()
        return campaign


@blp.route("/campaigns/<uuid:campaign_id>")
class CampaignItem(MethodView):
    @requires("inspection.campaign.read")
    @blp.etag
    @blp.response(200, InspectionCampaign)
    def get(self, campaign_id):
        """One campaign; ``coverage.not_covered`` lists the villages and stations it has
        not reached (it counts toward ``inspection.half_year`` once none are left)."""
        return campaign_or_404(campaign_id)

    @requires("inspection.campaign.write")
    @blp.etag
    @blp.arguments(InspectionCampaignPatch)
    @blp.response(200, InspectionCampaign)
    def patch(self, data, campaign_id):
        """Change or finish a campaign (``ended_on``; send If-Match)."""
        campaign = campaign_or_404(campaign_id)
        blp.check_etag(campaign, InspectionCampaign)
        try:
            services.update_campaign(session(), campaign, data)
        except InspectionError as error:
            fail(error)
        session().commit()
        return campaign

    @requires("inspection.campaign.write")
    @blp.etag
    @blp.response(204)
    def delete(self, campaign_id):
        """Archive a campaign: it counts for nothing any more (send If-Match)."""
        campaign = campaign_or_404(campaign_id)
        blp.check_etag(campaign, InspectionCampaign)
        services.archive_campaign(session(), campaign)
        session().commit()


def _checks(campaign: Campaign, query: dict):
    statement = select(Check).where(Check.campaign_id == campaign.id).order_by(
        Check.checked_on, Check.id)
    if not query["include_archived"]:
        statement = statement.where(Check.archived_at.is_(None))
    for name in ("unit_id", "method"):
        if name in query:
            statement = statement.where(getattr(Check, name) == query[name])
    return statement


@blp.route("/campaigns/<uuid:campaign_id>/checks")
class Checks(MethodView):
    @requires("inspection.campaign.read")
    @blp.arguments(InspectionCheckQuery, location="query")
    @blp.response(200, InspectionCheck(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, campaign_id):
        """Every check of the campaign: self-inspections and the office's checks (I2)."""
        return _checks(campaign_or_404(campaign_id), query)

    @requires("inspection.campaign.write")
    @blp.arguments(InspectionCheckIn)
    @blp.response(201, InspectionCheck)
    def post(self, data, campaign_id):
        """Record a key, written or on-site check of a village or station (I2)."""
        campaign = campaign_or_404(campaign_id)
        try:
            check = services.record_check(session(), campaign, **data)
        except InspectionError as error:
            fail(error)
        session().commit()
        return check


@blp.route("/campaigns/<uuid:campaign_id>/checks/<uuid:check_id>")
class CheckItem(MethodView):
    @requires("inspection.campaign.write")
    @blp.response(204)
    def delete(self, campaign_id, check_id):
        """Archive a check recorded in error: coverage is recomputed."""
        campaign = campaign_or_404(campaign_id)
        check = services.get_check(session(), campaign.id, check_id)
        if check is None:
            not_found()
        services.archive_check(session(), campaign, check)
        session().commit()


@blp.route("/campaigns/<uuid:campaign_id>/self-inspections")
class SelfInspections(MethodView):
    @requires("inspection.self_inspection.write")
    @blp.arguments(InspectionSelfInspectionIn)
    @blp.response(201, InspectionCheck)
    def post(self, data, campaign_id):
        """A unit fills in the checklist (its own unit only); ``submit`` hands it in."""
        campaign = campaign_or_404(campaign_id)
        require_unit_write(data["unit_id"])
        try:
            check = services.record_check(session(), campaign, method="self", **data)
        except InspectionError as error:
            fail(error)
        session().commit()
        return check


@blp.route("/campaigns/<uuid:campaign_id>/self-inspections/<uuid:check_id>/submission")
class SelfInspectionSubmission(MethodView):
    @requires("inspection.self_inspection.write")
    @blp.arguments(InspectionSubmissionIn)
    @blp.response(200, InspectionCheck)
    def post(self, data, campaign_id, check_id):
        """Submit a draft self-inspection, every item answered: it covers the unit."""
        campaign = campaign_or_404(campaign_id)
        check = services.get_check(session(), campaign.id, check_id)
        if check is None:
            not_found()
        require_unit_write(check.unit_id)
        try:
            services.submit_self_inspection(session(), campaign, check, data["answers"])
        except InspectionError as error:
            fail(error)
        session().commit()
        return check


@blp.route("/campaigns/<uuid:campaign_id>/prefill")
class Prefill(MethodView):
    @requires("inspection.campaign.read")
    @blp.arguments(InspectionPrefillQuery, location="query")
    @blp.response(200, InspectionChecklistItem(many=True))
    def get(self, query, campaign_id):
        """The checklist for one unit, answers suggested from its obligation status."""
        campaign = campaign_or_404(campaign_id)
        try:
            items = services.prefill(session(), campaign, query["unit_id"])
        except InspectionError as error:
            fail(error)
        session().commit()  # the summary may have materialised the period's obligations
        return items


@blp.route("/campaigns/<uuid:campaign_id>/ratings")
class Ratings(MethodView):
    @requires("inspection.campaign.read")
    @blp.response(200, InspectionRating(many=True))
    @blp.paginate(SelectPage)
    def get(self, campaign_id):
        """The campaign's ratings of villages and stations (I3)."""
        campaign = campaign_or_404(campaign_id)
        return select(Rating).where(Rating.campaign_id == campaign.id,
                                    Rating.archived_at.is_(None)).order_by(Rating.id)

    @requires("inspection.campaign.write")
    @blp.arguments(InspectionRatingIn)
    @blp.response(200, InspectionRating)
    def post(self, data, campaign_id):
        """Rate a unit (again); "prominent_problems" starts ``inspection.interview``."""
        campaign = campaign_or_404(campaign_id)
        try:
            rating = ratings.rate(session(), campaign, **data)
        except InspectionError as error:
            fail(error)
        session().commit()
        return rating


@blp.route("/campaigns/<uuid:campaign_id>/scores")
class Scores(MethodView):
    @requires("inspection.campaign.read")
    @blp.response(200, InspectionScore(many=True))
    def get(self, campaign_id):
        """Per-unit scores (I4): score = weights.checklist × C + weights.rating × R +
        weights.findings × F, where C is the share of "yes" among the yes/no answers of the
        unit's submitted self-inspection, R = rating_points[rating] / 100, and F = max(0,
        100 − Σ severity_deductions of its findings, halved once verified) / 100. The
        weights (settings ``score_weights``) add up to 100."""
        return scores.unit_scores(session(), campaign_or_404(campaign_id))
