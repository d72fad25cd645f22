"""The platforms API, mounted by core at ``/api/v1/townships/<township>/platforms``: the
channel register with its filings and reviews (P1). Incidents are in ``incident_routes``,
on the same blueprint. A township that has not enabled the module gets 404 before any
view runs; the township is in context here, so no query names ``tenant_id``."""

from __future__ import annotations

from flask.views import MethodView

from zerenzhi import (
    Blueprint,
    SelectPage,
    get_or_404,
    listed,
    render,
    require_unit_write,
    requires,
    session,
    writing,
)
from zerenzhi.plugins.platforms import catalogue, reviews, services
from zerenzhi.plugins.platforms.models import Channel, Review
from zerenzhi.plugins.platforms.schemas import (
    PlatformsCatalogue,
    PlatformsChannel,
    PlatformsChannelClose,
    PlatformsChannelIn,
    PlatformsChannelPatch,
    PlatformsChannelQuery,
    PlatformsCoverage,
    PlatformsCoverageQuery,
    PlatformsFiling,
    PlatformsReview,
    PlatformsReviewIn,
    PlatformsReviewPatch,
    PlatformsReviewQuery,
)

blp = Blueprint("platforms", __name__,
                description="The organisation's own channels and incidents (陣地; P1–P4, W7)")


def _codes(table: dict) -> list[dict]:
    rows = []
    for code, value in table.items():
        clause, label = value if isinstance(value, tuple) else (None, value)
        rows.append({"code": code, "label": render(label), "clause": clause})
    return rows


@blp.route("/catalogue")
class Catalogue(MethodView):
    @requires("platforms.channel.read")
    @blp.response(200, PlatformsCatalogue)
    def get(self):
        """The module's codes with labels (channel kinds, incident categories…)."""
        return {"channel_kinds": _codes(catalogue.CHANNEL_KINDS),
                "channel_statuses": _codes(catalogue.CHANNEL_STATUSES),
                "filing_actions": _codes(catalogue.FILING_ACTIONS),
                "update_frequencies": _codes(catalogue.UPDATE_FREQUENCIES),
                "incident_categories": _codes(catalogue.INCIDENT_CATEGORIES),
                "severities": _codes(catalogue.SEVERITIES),
                "entry_kinds": _codes(catalogue.ENTRY_KINDS),
                "incident_statuses": _codes(catalogue.INCIDENT_STATUSES)}


@blp.route("/channels")
class Channels(MethodView):
    @requires("platforms.channel.read")
    @blp.arguments(PlatformsChannelQuery, location="query")
    @blp.response(200, PlatformsChannel(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The channel register (P1), by owner unit and kind."""
        return listed(Channel, query, match=("unit_id", "kind", "status"),
                      order_by=(Channel.unit_id, Channel.kind, Channel.id))

    @requires("platforms.channel.write")
    @blp.arguments(PlatformsChannelIn)
    @blp.response(201, PlatformsChannel)
    def post(self, data):
        """Register a channel a unit opened, with the opening's filing (備案)."""
        require_unit_write(data["unit_id"])
        with writing() as db:
            return services.register_channel(db, data)


@blp.route("/channels/<uuid:channel_id>")
class ChannelItem(MethodView):
    @requires("platforms.channel.read")
    @blp.etag
    @blp.response(200, PlatformsChannel)
    def get(self, channel_id):
        """One channel."""
        return get_or_404(Channel, channel_id)

    @requires("platforms.channel.write")
    @blp.etag
    @blp.arguments(PlatformsChannelPatch)
    @blp.response(200, PlatformsChannel)
    def patch(self, data, channel_id):
        """Change name, account, responsible person or status (If-Match); filed as a change."""
        channel = get_or_404(Channel, channel_id)
        blp.check_etag(channel, PlatformsChannel)
        require_unit_write(channel.unit_id)
        with writing() as db:
            return services.change_channel(db, channel, data)

    @requires("platforms.channel.write")
    @blp.etag
    @blp.response(204)
    def delete(self, channel_id):
        """Archive a channel registered in error, with its reviews (If-Match). A channel
        that really stopped is closed instead (POST .../closure), which is filed."""
        channel = get_or_404(Channel, channel_id)
        blp.check_etag(channel, PlatformsChannel)
        require_unit_write(channel.unit_id)
        with writing() as db:
            services.archive_channel(db, channel)


@blp.route("/channels/<uuid:channel_id>/closure")
class ChannelClosure(MethodView):
    @requires("platforms.channel.write")
    @blp.arguments(PlatformsChannelClose)
    @blp.response(200, PlatformsChannel)
    def post(self, data, channel_id):
        """Close a channel, with the closing's filing; no reviews are due after that."""
        channel = get_or_404(Channel, channel_id)
        require_unit_write(channel.unit_id)
        with writing() as db:
            return services.close_channel(db, channel, data)


@blp.route("/channels/<uuid:channel_id>/filings")
class ChannelFilings(MethodView):
    @requires("platforms.channel.read")
    @blp.response(200, PlatformsFiling(many=True))
    @blp.paginate(SelectPage)
    def get(self, channel_id):
        """The channel's filing history: opening, changes, closing."""
        return services.filings(get_or_404(Channel, channel_id))


@blp.route("/channels/<uuid:channel_id>/reviews")
class ChannelReviews(MethodView):
    @requires("platforms.review.write")
    @blp.arguments(PlatformsReviewIn)
    @blp.response(201, PlatformsReview)
    def post(self, data, channel_id):
        """Record this quarter's review of the channel (P1); the owner unit's quarter is
        fulfilled once every channel due has one."""
        channel = get_or_404(Channel, channel_id)
        require_unit_write(channel.unit_id)
        with writing() as db:
            return reviews.record_review(db, channel, data)


@blp.route("/reviews")
class Reviews(MethodView):
    @requires("platforms.review.read")
    @blp.arguments(PlatformsReviewQuery, location="query")
    @blp.response(200, PlatformsReview(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Channel reviews, newest first."""
        return listed(Review, query, match=("channel_id", "unit_id", "quarter"),
                      order_by=(Review.reviewed_on.desc(), Review.id.desc()))


@blp.route("/reviews/<uuid:review_id>")
class ReviewItem(MethodView):
    @requires("platforms.review.read")
    @blp.etag
    @blp.response(200, PlatformsReview)
    def get(self, review_id):
        """One review."""
        return get_or_404(Review, review_id)

    @requires("platforms.review.write")
    @blp.etag
    @blp.arguments(PlatformsReviewPatch)
    @blp.response(200, PlatformsReview)
    def patch(self, data, review_id):
        """Change a review (If-Match), e.g. add the rectification; a new date may move it
        to another quarter, and the ledger follows."""
        review = get_or_404(Review, review_id)
        blp.check_etag(review, PlatformsReview)
        require_unit_write(review.unit_id)
        with writing() as db:
            return reviews.update_review(db, review, data)

    @requires("platforms.review.write")
    @blp.etag
    @blp.response(204)
    def delete(self, review_id):
        """Archive a review (If-Match): it stops counting."""
        review = get_or_404(Review, review_id)
        blp.check_etag(review, PlatformsReview)
        require_unit_write(review.unit_id)
        with writing() as db:
            reviews.archive_review(db, review)


@blp.route("/coverage")
class Coverage(MethodView):
    @requires("platforms.review.read")
    @blp.arguments(PlatformsCoverageQuery, location="query")
    @blp.response(200, PlatformsCoverage)
    def get(self, query):
        """Per unit owning channels: which are due this quarter, reviewed, still missing."""
        return reviews.township_coverage(session(), query.get("quarter"), query.get("unit_id"))
