"""The platforms API, mounted by core at ``/api/v1/townships/<township>/platforms``: the
channel register with its filings and reviews (P1). Incidents are in ``incident_routes``,
on the same blueprint. A township that has not enabled the module gets 404 before any
view runs; the township is in context here, so no query names ``tenant_id``."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from zerenzhi import (
    SelectPage,
    not_found,
    parse_period,
    period_of,
    render,
    require_unit_write,
    requires,
    session,
)
from zerenzhi.plugins.platforms import catalogue, reviews, services
from zerenzhi.plugins.platforms.common import PlatformError, today
from zerenzhi.plugins.platforms.models import Channel, Filing, Review
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


def fail(error: PlatformError):
    session().rollback()
    abort(error.status, message=error.message, errors={"json": {error.field: [error.message]}})


def _channel_or_404(channel_id) -> Channel:
    channel = session().scalar(select(Channel).where(Channel.id == channel_id))
    if channel is None:
        not_found()
    return channel


def _review_or_404(review_id) -> Review:
    review = session().scalar(select(Review).where(Review.id == review_id))
    if review is None:
        not_found()
    return review


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
        statement = select(Channel).order_by(Channel.unit_id, Channel.kind, Channel.id)
        if not query["include_archived"]:
            statement = statement.where(Channel.archived_at.is_(None))
        for name in ("unit_id", "kind", "status"):
            if name in query:
                statement = statement.where(getattr(Channel, name) == query[name])
        return statement

    @requires("platforms.channel.write")
    @blp.arguments(PlatformsChannelIn)
    @blp.response(201, PlatformsChannel)
    def post(self, data):
        """Register a channel a unit opened, with the opening's filing (備案)."""
        require_unit_write(data["unit_id"])
        try:
            channel = services.register_channel(session(), data)
        except PlatformError as error:
            fail(error)
        session().commit()
        return channel


@blp.route("/channels/<uuid:channel_id>")
class ChannelItem(MethodView):
    @requires("platforms.channel.read")
    @blp.etag
    @blp.response(200, PlatformsChannel)
    def get(self, channel_id):
        """One channel."""
        return _channel_or_404(channel_id)

    @requires("platforms.channel.write")
    @blp.etag
    @blp.arguments(PlatformsChannelPatch)
    @blp.response(200, PlatformsChannel)
    def patch(self, data, channel_id):
        """Change name, account, responsible person or status (If-Match); filed as a change."""
        channel = _channel_or_404(channel_id)
        blp.check_etag(channel, PlatformsChannel)
        require_unit_write(channel.unit_id)
        try:
            services.change_channel(session(), channel, data)
        except PlatformError as error:
            fail(error)
        session().commit()
        return channel

    @requires("platforms.channel.write")
    @blp.etag
    @blp.response(204)
    def delete(self, channel_id):
        """Archive a channel registered in error, with its reviews (If-Match). A channel
        that really stopped is closed instead (POST .../closure), which is filed."""
        channel = _channel_or_404(channel_id)
        blp.check_etag(channel, PlatformsChannel)
        require_unit_write(channel.unit_id)
        services.archive_channel(session(), channel)
        session().commit()


@blp.route("/channels/<uuid:channel_id>/closure")
class ChannelClosure(MethodView):
    @requires("platforms.channel.write")
    @blp.arguments(PlatformsChannelClose)
    @blp.response(200, PlatformsChannel)
    def post(self, data, channel_id):
        """Close a channel, with the closing's filing; no reviews are due after that."""
        channel = _channel_or_404(channel_id)
        require_unit_write(channel.unit_id)
        try:
            services.close_channel(session(), channel, data)
        except PlatformError as error:
            fail(error)
        session().commit()
        return channel


@blp.route("/channels/<uuid:channel_id>/filings")
class ChannelFilings(MethodView):
    @requires("platforms.channel.read")
    @blp.response(200, PlatformsFiling(many=True))
    @blp.paginate(SelectPage)
    def get(self, channel_id):
        """The channel's filing history: opening, changes, closing."""
        channel = _channel_or_404(channel_id)
        return select(Filing).where(Filing.channel_id == channel.id).order_by(
            Filing.filed_on, Filing.created_at, Filing.id)


@blp.route("/channels/<uuid:channel_id>/reviews")
class ChannelReviews(MethodView):
    @requires("platforms.review.write")
    @blp.arguments(PlatformsReviewIn)
    @blp.response(201, PlatformsReview)
    def post(self, data, channel_id):
        """Record this quarter's review of the channel (P1); the owner unit's quarter is
        fulfilled once every channel due has one."""
        channel = _channel_or_404(channel_id)
        require_unit_write(channel.unit_id)
        try:
            review = reviews.record_review(session(), channel, data)
        except PlatformError as error:
            fail(error)
        session().commit()
        return review


@blp.route("/reviews")
class Reviews(MethodView):
    @requires("platforms.review.read")
    @blp.arguments(PlatformsReviewQuery, location="query")
    @blp.response(200, PlatformsReview(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Channel reviews, newest first."""
        statement = select(Review).order_by(Review.reviewed_on.desc(), Review.id.desc())
        if not query["include_archived"]:
            statement = statement.where(Review.archived_at.is_(None))
        for name in ("channel_id", "unit_id", "quarter"):
            if name in query:
                statement = statement.where(getattr(Review, name) == query[name])
        return statement


@blp.route("/reviews/<uuid:review_id>")
class ReviewItem(MethodView):
    @requires("platforms.review.read")
    @blp.etag
    @blp.response(200, PlatformsReview)
    def get(self, review_id):
        """One review."""
        return _review_or_404(review_id)

    @requires("platforms.review.write")
    @blp.etag
    @blp.arguments(PlatformsReviewPatch)
    @blp.response(200, PlatformsReview)
    def patch(self, data, review_id):
        """Change a review (If-Match), e.g. add the rectification; a new date may move it
        to another quarter, and the ledger follows."""
        review = _review_or_404(review_id)
        blp.check_etag(review, PlatformsReview)
        require_unit_write(review.unit_id)
        try:
            reviews.update_review(session(), review, _channel_or_404(review.channel_id), data)
        except PlatformError as error:
            fail(error)
        session().commit()
        return review

    @requires("platforms.review.write")
    @blp.etag
    @blp.response(204)
    def delete(self, review_id):
        """Archive a review (If-Match): it stops counting."""
        review = _review_or_404(review_id)
        blp.check_etag(review, PlatformsReview)
        require_unit_write(review.unit_id)
        reviews.archive_review(session(), review)
        session().commit()


@blp.route("/coverage")
class Coverage(MethodView):
    @requires("platforms.review.read")
    @blp.arguments(PlatformsCoverageQuery, location="query")
    @blp.response(200, PlatformsCoverage)
    def get(self, query):
        """Per unit owning channels: which are due this quarter, reviewed, still missing."""
        quarter = parse_period(query["quarter"]) if "quarter" in query else \
            period_of("quarter", today())
        return {"quarter": quarter.label,
                "units": reviews.township_coverage(session(), quarter, query.get("unit_id"))}

