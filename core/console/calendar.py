"""The township's calendar page: the API's calendar (``routes.calendar``) as a list by due
day or a month grid, with its filters, and the user's own ICS subscription link."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import marshmallow as ma
from babel.dates import format_skeleton
from flask import current_app, g, redirect, request, session, url_for
from flask_babel import format_date, get_locale
from sqlalchemy import select
from werkzeug.wrappers import Response

from zerenzhi.auth.models import Member
from zerenzhi.auth.permissions import AUTHENTICATED, requires
from zerenzhi.console.forms import Pager
from zerenzhi.console.i18n import translate_errors
from zerenzhi.console.pages import bp, render_page
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session as db_session
from zerenzhi.db.session import writing
from zerenzhi.domain import DomainError
from zerenzhi.labels import render
from zerenzhi.obligations import feeds, service
from zerenzhi.obligations.status import STATUSES
from zerenzhi.obligations.versions import effective_rules
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.routes.calendar import CalendarQuery, _page, _window
from zerenzhi.tenancy.clock import today

PAGE_SIZE = 50
FEED_SHOWN = "zz_feed_once"  # session key: the new feed URLs, shown on the next page once
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class CalendarPageQuery(CalendarQuery):
    """The API's calendar query plus what the page adds: the view, its month, the page."""

    view = ma.fields.String(load_default="list", validate=ma.validate.OneOf(("list", "month")))
    month = ma.fields.String(validate=ma.validate.Regexp(MONTH))
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 100000))



def _query() -> dict[str, Any]:
    """The query string by the page's schema: a GET form sends its blank selects and
    dates too, which mean "no filter"; repeated ``status`` boxes are one list."""
    schema = CalendarPageQuery()
    args: dict[str, Any] = {}
    for key in request.args:
        values = [v for v in request.args.getlist(key) if v.strip()]
        if values:
            args[key] = values if key == "status" else values[0]
    try:
        return schema.load(args)
    except ma.ValidationError as error:
        field, messages = next(iter(translate_errors(error.messages).items()))
        raise DomainError(field, f"{field}: {' '.join(messages)}", location="query") from error


def _choices(db) -> dict[str, list[tuple[str, str]]]:
    """The filters' pick lists: live units, the rules in force, members, by name."""
    units = db.scalars(select(OrgUnit).where(OrgUnit.archived_at.is_(None))
                       .order_by(OrgUnit.code)).all()
    rules = sorted(effective_rules(db, today()), key=lambda e: (e.rule.source, e.key))
    members = db.scalars(select(Member).where(Member.archived_at.is_(None))
                         .order_by(Member.display_name, Member.id)).all()
    return {"units": [(str(u.id), u.name) for u in units],
            "rules": [(e.key, f"{render(e.rule.title)} ({e.rule.source})") for e in rules],
            "people": [(str(m.id), m.display_name) for m in members]}


def _month(query: dict[str, Any]) -> dt.date:
    if "month" in query:
        year, month = query["month"].split("-")
        return dt.date(int(year), int(month), 1)
    return (query.get("start") or today()).replace(day=1)


def _shift(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _weeks(first: dt.date, items: list[dict]) -> list[list[dict[str, Any]]]:
    """The month's weeks, Monday first, each day with its obligations; days of the
    neighbouring months fill the first and last week, marked as outside."""
    by_day: dict[dt.date, list[dict]] = {}
    for item in items:
        by_day.setdefault(item["due_on"], []).append(item)
    day = first - dt.timedelta(days=first.weekday())
    last = _shift(first, 1) - dt.timedelta(days=1)
    weeks = []
    while day <= last:
        weeks.append([{"day": d, "weekday": format_date(d, "EEE"),
                       "inside": d.month == first.month,
                       "today": d == today(), "items": by_day.get(d, [])}
                      for d in (day + dt.timedelta(days=i) for i in range(7))])
        day += dt.timedelta(days=7)
    return weeks


def _link(**changes: Any) -> str:
    """This page's URL with some query parameters changed (None drops one)."""
    args = {k: request.args.getlist(k) for k in request.args}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for("console.calendar", township=g.zz_tenant.slug, **args)


@bp.route("/townships/<township>/calendar")
@requires("obligations.read")
def calendar(township: str | None = None) -> str:
    """The calendar (the API's ``GET …/calendar``): by due day, 50 to a page, or a month;
    filtered by unit, rule, status and person, as the API filters."""
    query, now, db = _query(), utcnow(), db_session()
    filters = {"unit_id": query.get("unit"), "rule_key": query.get("rule"),
               "statuses": query.get("status"), "responsible": query.get("responsible")}
    context: dict[str, Any] = {"query": query, "statuses": STATUSES, "choices": _choices(db),
                               "feed": session.pop(FEED_SHOWN, None), "link": _link}
    if query["view"] == "month":
        first = _month(query)
        last = _shift(first, 1) - dt.timedelta(days=1)
        statement = service.calendar_query(db, start=first, end=last, now=now,
                                           due_soon_days=query["due_soon_days"], **filters)
        items = service.describe(db.execute(statement).all(), db, now)
        return render_page(
            "console/calendar_month.html", **context, first=first, items=items,
            weeks=_weeks(first, items), title=format_skeleton("yMMMM", first,
                                                              locale=get_locale()),
            prev_month=_shift(first, -1).strftime("%Y-%m"),
            next_month=_shift(first, 1).strftime("%Y-%m"))
    start, end = _window(query, 30, 90)
    pager = Pager(query["page"], PAGE_SIZE)
    statement = service.calendar_query(db, start=start, end=end, now=now,
                                       due_soon_days=query["due_soon_days"], **filters)
    items = service.describe(_page(db, statement, pager), db, now)
    days: dict[dt.date, list[dict]] = {}
    for item in items:
        days.setdefault(item["due_on"], []).append(item)
    return render_page("console/calendar.html", **context, days=days, pager=pager,
                       start=start, end=end)


@bp.route("/townships/<township>/calendar/feed", methods=["POST"])
@requires(AUTHENTICATED)
def calendar_feed(township: str | None = None) -> Response:
    """Create or rotate the user's feed link (the API's ``POST /me/feed-token``): the old
    link stops working. Only a hash is stored, so the new link is shown once, on the page
    this redirects to."""
    with writing() as db:
        token, home = feeds.rotate(db, g.zz_identity.user_id,
                                   current_app.config["FEED_TOKEN_DAYS"])
    if home is not None:
        public = current_app.config["PUBLIC_URL"]
        session[FEED_SHOWN] = {"url": feeds.feed_url(public, home.slug, token),
                               "events_url": feeds.feed_url(public, home.slug, token,
                                                            component="event")}
    else:
        session[FEED_SHOWN] = {"url": None, "token": token}
    return redirect(url_for("console.calendar", township=g.zz_tenant.slug, _anchor="feed"))

