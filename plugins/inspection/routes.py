"""Campaigns, checks and self-inspections, the checklist, ratings and scores (I1–I4)."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from zerenzhi import (
    SelectPage,
    get_or_404,
    listed,
    not_found,
    require_unit_write,
    requires,
    session,
    writing,
)
from zerenzhi.plugins.inspection import ratings, scores, services
from zerenzhi.plugins.inspection.blueprint import blp, shown_page
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


def _check_of(campaign_id, check_id) -> tuple[Campaign, Check]:
    """The campaign and one of its checks: another campaign's check is as unknown as a
    made-up id."""
    campaign = get_or_404(Campaign, campaign_id)
    check = get_or_404(Check, check_id)
    if check.campaign_id != campaign.id:
        not_found()
    return campaign, check


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
    @blp.paginate(shown_page(services.shown_campaigns))
    def get(self, query):
        """The township's campaigns, newest first, each with its coverage."""
        return listed(Campaign, query, match=("period",),
                      order_by=(Campaign.started_on.desc(), Campaign.id.desc()))

    @requires("inspection.campaign.write")
    @blp.arguments(InspectionCampaignIn)
    @blp.response(201, InspectionCampaign)
    def post(self, data):
        """Start the half-year special inspection led by the office (I1)."""
        with writing() as db:
            return services.shown_campaign(db, services.create_campaign(db, **data))


@blp.route("/campaigns/<uuid:campaign_id>")
class CampaignItem(MethodView):
    @requires("inspection.campaign.read")
    @blp.etag
    @blp.response(200, InspectionCampaign)
    def get(self, campaign_id):
        """One campaign; ``coverage.not_covered`` lists the villages and stations whose
        self-inspection is not in and ``coverage.methods_missing`` the office's methods not
        yet used: it counts toward ``inspection.half_year`` once both are empty (I2)."""
        return services.shown_campaign(session(), get_or_404(Campaign, campaign_id))

    @requires("inspection.campaign.write")
    @blp.etag
    @blp.arguments(InspectionCampaignPatch)
    @blp.response(200, InspectionCampaign)
    def patch(self, data, campaign_id):
        """Change or finish a campaign (``ended_on``; send If-Match)."""
        with writing() as db:
            campaign = get_or_404(Campaign, campaign_id)
            blp.check_etag(services.shown_campaign(db, campaign), InspectionCampaign)
            return services.shown_campaign(db, services.update_campaign(db, campaign, data))

    @requires("inspection.campaign.write")
    @blp.etag
    @blp.response(204)
    def delete(self, campaign_id):
        """Archive a campaign: it counts for nothing any more (send If-Match)."""
        with writing() as db:
            campaign = get_or_404(Campaign, campaign_id)
            blp.check_etag(services.shown_campaign(db, campaign), InspectionCampaign)
            services.archive_campaign(db, campaign)


@blp.route("/campaigns/<uuid:campaign_id>/checks")
class Checks(MethodView):
    @requires("inspection.campaign.read")
    @blp.arguments(InspectionCheckQuery, location="query")
    @blp.response(200, InspectionCheck(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, campaign_id):
        """Every check of the campaign: self-inspections and the office's checks (I2)."""
        campaign = get_or_404(Campaign, campaign_id)
        return listed(Check, query, match=("unit_id", "method"),
                      order_by=(Check.checked_on, Check.id),
                      statement=select(Check).where(Check.campaign_id == campaign.id))

    @requires("inspection.campaign.write")
    @blp.arguments(InspectionCheckIn)
    @blp.response(201, InspectionCheck)
    def post(self, data, campaign_id):
        """Record a key, written or on-site check of a village or station (I2)."""
        with writing() as db:
            return services.record_check(db, get_or_404(Campaign, campaign_id), **data)


@blp.route("/campaigns/<uuid:campaign_id>/checks/<uuid:check_id>")
class CheckItem(MethodView):
    @requires("inspection.campaign.write")
    @blp.response(204)
    def delete(self, campaign_id, check_id):
        """Archive a check recorded in error: coverage is recomputed."""
        with writing() as db:
            services.archive_check(db, *_check_of(campaign_id, check_id))


@blp.route("/campaigns/<uuid:campaign_id>/self-inspections")
class SelfInspections(MethodView):
    @requires("inspection.self_inspection.write")
    @blp.arguments(InspectionSelfInspectionIn)
    @blp.response(201, InspectionCheck)
    def post(self, data, campaign_id):
        """A unit fills in the checklist (its own unit only); ``submit`` hands it in."""
        campaign = get_or_404(Campaign, campaign_id)
        require_unit_write(data["unit_id"])
        with writing() as db:
            return services.record_check(db, campaign, method="self", **data)


@blp.route("/campaigns/<uuid:campaign_id>/self-inspections/<uuid:check_id>/submission")
class SelfInspectionSubmission(MethodView):
    @requires("inspection.self_inspection.write")
    @blp.arguments(InspectionSubmissionIn)
    @blp.response(200, InspectionCheck)
    def post(self, data, campaign_id, check_id):
        """Submit a draft self-inspection, every item answered: it covers the unit."""
        campaign, check = _check_of(campaign_id, check_id)
        require_unit_write(check.unit_id)
        with writing() as db:
            return services.submit_self_inspection(db, campaign, check, data["answers"])


@blp.route("/campaigns/<uuid:campaign_id>/prefill")
class Prefill(MethodView):
    @requires("inspection.campaign.read")
    @blp.arguments(InspectionPrefillQuery, location="query")
    @blp.response(200, InspectionChecklistItem(many=True))
    def get(self, query, campaign_id):
        """The checklist for one unit, answers suggested from its obligation status."""
        with writing() as db:  # the summary may materialise the period's obligations
            return services.prefill(db, get_or_404(Campaign, campaign_id), query["unit_id"])


@blp.route("/campaigns/<uuid:campaign_id>/ratings")
class Ratings(MethodView):
    @requires("inspection.campaign.read")
    @blp.response(200, InspectionRating(many=True))
    @blp.paginate(shown_page(ratings.shown_ratings))
    def get(self, campaign_id):
        """The campaign's ratings of villages and stations (I3)."""
        campaign = get_or_404(Campaign, campaign_id)
        return listed(Rating, {}, order_by=(Rating.id,),
                      statement=select(Rating).where(Rating.campaign_id == campaign.id))

    @requires("inspection.campaign.write")
    @blp.arguments(InspectionRatingIn)
    @blp.response(200, InspectionRating)
    def post(self, data, campaign_id):
        """Rate a unit (again); "prominent_problems" starts ``inspection.interview``."""
        with writing() as db:
            rating = ratings.rate(db, get_or_404(Campaign, campaign_id), **data)
            return ratings.shown_rating(db, rating)


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
        return scores.unit_scores(session(), get_or_404(Campaign, campaign_id))
