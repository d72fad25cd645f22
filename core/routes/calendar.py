"""The obligations calendar of a township: a paged JSON list, an RFC 5545 feed, and the
per-user feed token that lets calendar clients (which send no headers) read the feed."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from dateutil.relativedelta import relativedelta
from flask import Response, current_app, g
from flask.views import MethodView
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from zerenzhi.auth.permissions import AUTHENTICATED, requires
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import writing
from zerenzhi.obligations import feeds, ics, service
from zerenzhi.obligations.periods import local_today
from zerenzhi.obligations.status import STATUSES
from zerenzhi.routes.common import Blueprint, QuerySchema
from zerenzhi.routes.obligations import ObligationSchema, RuleKeyField
from zerenzhi.tenancy.context import require_tenant

blp = Blueprint("calendar", __name__, url_prefix="/api/v1",
                description="Obligations calendar, its ICS feed and feed tokens")

MAX_SPAN = relativedelta(years=3)
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
ICS_TYPE = "text/calendar"


class CommaList(ma.fields.List):
    """Repeatable (``?status=a&status=b``) or comma-separated (``?status=a,b``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        values = value if isinstance(value, list | tuple) else [value]
        parts = [p.strip() for v in values for p in str(v).split(",") if p.strip()]
        return super()._deserialize(parts, attr, data, **kwargs)


class WindowQuery(QuerySchema):
    """A window of due dates in the township's time zone, at most three years long."""

    start = ma.fields.Date(data_key="from", validate=ma.validate.Range(EARLIEST, LATEST),
                           metadata={"description": "first due date (YYYY-MM-DD)"})
    end = ma.fields.Date(data_key="to", validate=ma.validate.Range(EARLIEST, LATEST),
                         metadata={"description": "last due date (YYYY-MM-DD)"})

    @ma.validates_schema
    def _window(self, data, **_kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ma.ValidationError("must not be after 'to'", "from")
        if start and end and start + MAX_SPAN < end:
            raise ma.ValidationError("a window is at most 3 years long", "to")


class CalendarQuery(WindowQuery):
    unit = ma.fields.UUID()
    rule = RuleKeyField(validate=ma.validate.Length(max=80))
    status = CommaList(ma.fields.String(validate=ma.validate.OneOf(STATUSES)),
                       metadata={"description": "repeatable or comma-separated; with "
                                                "overdue and no `from`, every overdue "
                                                "obligation, however old"})
    responsible = ma.fields.UUID(metadata={"description": "a member: obligations of the "
                                                          "posts they hold now"})
    due_soon_days = ma.fields.Integer(load_default=14, validate=ma.validate.Range(0, 366))


class FeedQuery(WindowQuery):
    token = ma.fields.String(validate=ma.validate.Length(max=200), metadata={
        "description": "feed token from POST /api/v1/me/feed-token (instead of a bearer "
                       "header, which calendar clients cannot send)"})
    component = ma.fields.String(load_default="todo", validate=ma.validate.OneOf(ics.COMPONENTS),
                                 metadata={"description": "todo (VTODO, default) or event "
                                                          "(VEVENT, for clients that show "
                                                          "only events)"})


class FeedTokenOut(ma.Schema):
    feed_token = ma.fields.String(required=True)
    url = ma.fields.String(allow_none=True, metadata={
        "description": "ICS URL of your home township (VTODOs); null without one"})
    events_url = ma.fields.String(allow_none=True, metadata={
        "description": "the same feed as VEVENTs, for clients that show only events"})


def _page(db: Session, statement: Select, pagination) -> list:
    """One page of status rows in a total order (pages neither repeat nor skip), with the
    total counted by the same statement (``count(*) OVER ()``, as ``SelectPage`` does); a
    separate count only for a page past the end."""
    rows = db.execute(statement.add_columns(func.count().over()).order_by("unit_id", "id")
                      .limit(pagination.page_size).offset(pagination.first_item)).all()
    if rows or not pagination.first_item:
        pagination.item_count = rows[0][-1] if rows else 0
    else:
        pagination.item_count = db.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery()))
    return [row[:-1] for row in rows]


def _window(query: dict, before: int, after: int) -> tuple[dt.date | None, dt.date]:
    """The asked window; a missing end keeps the default span from the given one. Asked
    for overdue obligations without a ``from``, no start: every overdue one is listed, not
    only those of the default window (an old overdue item is the one to see)."""
    start, end = query.get("start"), query.get("end")
    unbounded = start is None and "overdue" in (query.get("status") or ())
    if start is None and end is None:
        today = local_today(require_tenant().timezone)
        start, end = today - dt.timedelta(days=before), today + dt.timedelta(days=after)
    elif start is None:
        start = end - dt.timedelta(days=before + after)
    return None if unbounded else start, end or start + dt.timedelta(days=before + after)


def _ics(items: list[dict], now: dt.datetime, component: str) -> Response:
    """The township's obligations as an RFC 5545 feed, each linking to its day in the
    calendar list."""
    tenant, public = g.zz_tenant, current_app.config["PUBLIC_URL"]

    def url_for(item: dict) -> str:
        day = item["due_on"].isoformat()
        return feeds.calendar_url(public, tenant.slug, rule=item["rule"],
                                  unit=str(item["unit_id"]), **{"from": day, "to": day})

    body = ics.feed(items, name=tenant.name, timezone=tenant.timezone, now=now,
                    url_for=url_for, component=component)
    return Response(body, mimetype=ICS_TYPE, headers={
        "Content-Disposition": f'inline; filename="{tenant.slug}.ics"',
        "Cache-Control": "private, max-age=300"})


@blp.route("/townships/<township>/calendar")
class CalendarView(MethodView):
    @requires("obligations.read")
    @blp.arguments(CalendarQuery, location="query")
    @blp.response(200, ObligationSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Obligations due in a window of local days (default: 30 days back to 90 ahead),
        soonest first; a period's obligation is listed under its last day (`due_on`).

        Filters: unit, rule, status, responsible person (the posts they hold now).
        `status=overdue` without `from` lists every overdue obligation. Periods in the
        window are materialised on first read.
        """
        (start, end), now = _window(query, 30, 90), utcnow()
        with writing() as db:  # periods are materialised on first read
            statement = service.calendar_query(
                db, start=start, end=end, now=now, due_soon_days=query["due_soon_days"],
                unit_id=query.get("unit"), rule_key=query.get("rule"),
                statuses=query.get("status"), responsible=query.get("responsible"))
            return service.describe(_page(db, statement, pagination_parameters), db, now)


@blp.route("/townships/<township>/calendar.ics")
class CalendarFeed(MethodView):
    @requires("obligations.read")
    @blp.arguments(FeedQuery, location="query")
    @blp.doc(security=[])
    @blp.response(200, {"type": "string"}, content_type=ICS_TYPE,
                  description="RFC 5545 iCalendar, one VTODO (or VEVENT) per obligation")
    def get(self, query):
        """The calendar as an ICS feed (default: 90 days back to 365 ahead).

        Subscribe with `?token=` from `POST /api/v1/me/feed-token`; a bearer header works
        too. UIDs are stable, so clients update items in place.
        """
        (start, end), now = _window(query, 90, 365), utcnow()
        with writing() as db:  # periods are materialised on first read
            statement = service.calendar_query(db, start=start, end=end, now=now,
                                               due_soon_days=14)
            return _ics(service.describe(db.execute(statement).all(), db, now), now,
                        query["component"])

    setattr(get, feeds.FEED_AUTH, True)  # calendar clients authenticate by ?token=


@blp.route("/me/feed-token")
class FeedToken(MethodView):
    @requires(AUTHENTICATED)
    @blp.response(201, FeedTokenOut)
    def post(self):
        """Issue your calendar feed token; this revokes the previous one (rotation).

        Only its hash is stored: keep the URL, it is shown once.
        """
        with writing() as db:
            token, home = feeds.rotate(db, g.zz_identity.user_id,
                                       current_app.config["FEED_TOKEN_DAYS"])
        public = current_app.config["PUBLIC_URL"]
        return {"feed_token": token,
                "url": feeds.feed_url(public, home.slug, token) if home else None,
                "events_url": feeds.feed_url(public, home.slug, token, component="event")
                if home else None}
