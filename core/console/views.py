"""Core's pages: logging in and out, the language switch, and the township's overview.

The other core pages (calendar, organisation, modules and rules, audit) each have a module
of their own beside this one; all of them register on ``pages.bp``.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from zerenzhi.auth import service as auth
from zerenzhi.auth.permissions import PUBLIC, requires
from zerenzhi.console import directives, i18n
from zerenzhi.console.forms import Form, load_query
from zerenzhi.console.pages import bp, render_page
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session as db_session
from zerenzhi.obligations import service as obligations
from zerenzhi.obligations.periods import period_of
from zerenzhi.routes.auth import Credentials
from zerenzhi.routes.obligations import SummaryQuery
from zerenzhi.tenancy.clock import today
from zerenzhi.tenancy.models import Tenant

AHEAD_DAYS = 30  # "what is due in the next 30 days" on the overview
STATUS_ORDER = ("overdue", "due_soon", "upcoming", "fulfilled", "waived")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (``//evil``) after logging in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
def login() -> Response | str:
    """The login form; the same accounts, password check and throttling as the API's
    ``POST /auth/tokens``, whose token the signed session cookie then carries."""
    form = Form(Credentials)
    if form.submitted and form.validate():
        data = form.data or {}
        lifetime = dt.timedelta(hours=current_app.config["CONSOLE_SESSION_HOURS"])
        try:
            issued = auth.login(db_session(), data["username"], data["password"],
                                request.remote_addr, ttl=lifetime)
            db_session().commit()
        except auth.Throttled as throttled:
            db_session().rollback()
            form.fail("_schema", _("Too many failed logins. Try again in %(seconds)s seconds.",
                                   seconds=throttled.retry_after))
            return render_page("console/login.html", form=form), 429
        if issued is None:
            form.fail("_schema", _("Wrong username or password."))
            return render_page("console/login.html", form=form), 401
        session.clear()
        session.permanent = True
        session["zz_token"] = issued.access_token
        session["zz_seen"] = int(utcnow().timestamp())
        return redirect(_safe_next(request.args.get("next")) or url_for("console.index"))
    return render_page("console/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires(PUBLIC)
def logout() -> Response:
    """Revoke the session's token (so a copied cookie stops working too) and forget it."""
    if g.get("zz_token_id") is not None and session.get("zz_token"):
        auth.revoke(db_session(), g.zz_token_id)
        db_session().commit()
    session.clear()
    flash(_("You have logged out."))
    return redirect(url_for("console.login"))


@bp.route("/language", methods=["POST"])
@requires(PUBLIC)
def language() -> Response:
    """The language switch: remembered in a cookie for a year, for every township."""
    chosen = request.form.get("language")
    response = redirect(_safe_next(request.form.get("next")) or url_for("console.index"))
    if chosen in i18n.LOCALES:
        response.set_cookie(i18n.COOKIE, chosen, max_age=i18n.COOKIE_DAYS * 86400,
                            samesite="Lax", secure=i18n.secure_cookie(), httponly=True)
    return response


@bp.route("/")
@requires(PUBLIC)
def index() -> Response | str:
    """Anonymous: the login page. Signed in: the user's township, or a county user's
    county dashboard."""
    identity = g.get("zz_identity")
    if identity is None:
        return redirect(url_for("console.login"))
    home = (db_session().get(Tenant, identity.home_tenant_id)
            if identity.home_tenant_id else None)
    if home is not None and home.kind == "township" and home.archived_at is None:
        return redirect(url_for("console.home", township=home.slug))
    if home is not None and home.kind == "county" and home.archived_at is None:
        return redirect(url_for("console.county_home", county=home.slug))
    return render_page("console/index.html", home=home)


def _periods(live_from: dt.date | None, current) -> list:
    """The half-years a township can look at: from its go-live to the one after this."""
    first = period_of("half_year", live_from or current.start)
    last = period_of("half_year", current.end + dt.timedelta(days=1))
    found, period = [], first
    while period.start <= last.start:
        found.append(period)
        period = period_of("half_year", period.end + dt.timedelta(days=1))
    return list(reversed(found))


@bp.route("/townships/<township>/")
@requires("obligations.read")
def home(township: str | None = None) -> str:
    """本期概覽: this period's obligations per rule and unit, the overdue with who answers
    for them, and what falls due in the next 30 days (the API's summary and calendar)."""
    day, now, db = today(), utcnow(), db_session()
    current = period_of("half_year", day)
    query = load_query(SummaryQuery)
    period = query.get("period") or current
    summary = obligations.summary(db, period, now, query["due_soon_days"])
    upcoming = obligations.describe(db.execute(obligations.calendar_query(
        db, start=day, end=day + dt.timedelta(days=AHEAD_DAYS), now=now, due_soon_days=14,
        statuses=("upcoming", "due_soon"))).all(), db, now)
    board: dict[str, dict] = {}
    for item in summary["items"]:
        row = board.setdefault(item["rule"], {"title": item["title"], "source": item["source"],
                                              "items": [], "fulfilled": 0, "counted": 0})
        row["items"].append(item)
        if item["status"] != "waived":
            row["counted"] += 1
            row["fulfilled"] += item["status"] == "fulfilled"
    counts = {status: sum(1 for i in summary["items"] if i["status"] == status)
              for status in STATUS_ORDER}
    return render_page("console/home.html", summary=summary, board=board, counts=counts,
                       upcoming=upcoming, period=period, periods=_periods(
                           g.zz_tenant.live_from, current), ahead_days=AHEAD_DAYS,
                       **directives.home_directives())
