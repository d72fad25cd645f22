"""Wires the web console into the app: pages, login sessions, CSRF, languages, error pages.

Pages are server-rendered (Jinja2), enhanced by htmx where it helps, and served by the same
app, services, permissions and tenancy as the API. The request pipeline treats a page like
an API route except that a page's caller may be the login session in the signed, HttpOnly
cookie (``web.pipeline``); this module makes every error of a page an HTML page (401: the
login page) and checks CSRF on every state-changing page request before anything else runs.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from babel import numbers
from flask import Flask, Response, current_app, redirect, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_wtf.csrf import CSRFProtect

from zerenzhi.console import i18n
from zerenzhi.console.pages import bp, layout_context
from zerenzhi.secrets import derived_key
from zerenzhi.web.pipeline import URL_TENANT_ARGS

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_COOKIE = "zz_session"
NOT_PAGES = ("/api/", "/healthz", "/readyz", "/metrics")


class ConsoleSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, keyed by ``ZERENZHI_SECRET_KEY`` or, when that is not
    set, by a key derived from the secret-settings keys, so the quick start and every host of
    a cluster sign alike with nothing more to configure."""

    def open_session(self, app: Flask, request):
        # Opened before the URL is matched, so told by path: the API and the probes never
        # get a session (and never read or set the cookie).
        if request.path.startswith(NOT_PAGES):
            return self.null_session_class()
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            app.secret_key = derived_key("zerenzhi console sessions")
        return super().get_signing_serializer(app)


def _mount_plugin_pages(app: Flask, kernel) -> list[str]:
    """Each installed plugin's pages at ``/townships/<township>/<plugin>``; their blueprint
    joins the plugin's API blueprints in ``blueprint_owners``, so the same guard answers 404
    where the township has not enabled the module."""
    names = []
    extra = []
    for installed in kernel.plugins.ordered():
        hook = getattr(installed.plugin, "register_pages", None)
        pages = hook() if hook is not None else None
        if pages is None:
            continue
        app.register_blueprint(pages.blueprint,
                               url_prefix=f"/townships/<township>/{installed.name}")
        kernel.pages[installed.name] = pages
        kernel.blueprint_owners[pages.blueprint.name] = (installed.name,
                                                         installed.manifest.title)
        names.append(pages.blueprint.name)
        if pages.translations is not None:
            extra.append(pages.translations)
    i18n.install(app, extra)
    return names


def _check_csrf() -> None:
    """Flask-WTF's CSRF check on every page form, before the pipeline reads anything."""
    if request.method in UNSAFE and request.blueprint in _page_blueprints():
        current_app.extensions["csrf"].protect()


def _head_as_get() -> None:
    """A page's HEAD is its GET, body dropped (by werkzeug, from the WSGI environ): a view
    that tells its form's POST from ``request.method == "GET"`` must not take a HEAD for a
    post, which no CSRF check guards (reads never write, tests/test_reads_never_write.py)."""
    if request.method == "HEAD" and request.blueprint in _page_blueprints():
        request.method = "GET"


def _page_blueprints() -> frozenset[str]:
    return current_app.extensions["zerenzhi"].page_blueprints


def _as_page(response: Response) -> Response:
    """A page's error answered as a page: the API's JSON body becomes the error page in the
    page's language; 401 sends the browser to the login page, back here afterwards."""
    if (request.blueprint not in _page_blueprints() or response.status_code < 400
            or response.mimetype != "application/json"):
        return response
    if response.status_code == 401:
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("console.login", next=target))
    body = response.get_json(silent=True) or {}
    page = Response(render_template("console/error.html", status=response.status_code,
                                    message=body.get("message", "")),
                    status=response.status_code, mimetype="text/html")
    if "Retry-After" in response.headers:
        page.headers["Retry-After"] = response.headers["Retry-After"]
    return page


def choose_language() -> None:
    """Decide a page's language once the pipeline has entered its township (whose default
    counts), before any service renders a stored label."""
    if request.blueprint in _page_blueprints():
        i18n.page_language()


def _layout() -> dict[str, Any]:
    if request.blueprint not in _page_blueprints():
        return {}
    return layout_context()


def _configure(app: Flask) -> None:
    config = app.config
    if config.get("SECRET_KEY"):
        app.secret_key = config["SECRET_KEY"]
    config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config["CONSOLE_COOKIE_SECURE"],
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=config["CONSOLE_SESSION_HOURS"]),
        WTF_CSRF_CHECK_DEFAULT=False,  # pages only (_check_csrf): the API takes no cookies
        WTF_CSRF_TIME_LIMIT=config["CONSOLE_SESSION_HOURS"] * 3600,
        WTF_CSRF_SSL_STRICT=config["CONSOLE_COOKIE_SECURE"],
    )
    app.session_interface = ConsoleSessions()
    CSRFProtect(app)
    filters = app.jinja_env.filters
    filters["day"] = lambda value: format_date(value, "long") if value else ""
    filters["moment"] = lambda value: format_datetime(value, "medium") if value else ""
    filters["percent"] = lambda value: _percent(value or 0, str(get_locale()))
    filters["number"] = lambda value: format_decimal(value or 0)


@functools.lru_cache(maxsize=8192)
def _percent(value: float, locale: str) -> str:
    """A rate in the page's language. Cached: a county's heat map of 300 townships formats
    ~5,000 of them and babel took a third of the page's time; the rates repeat."""
    return numbers.format_percent(value, "#,##0.0%", locale=locale)


def install(app: Flask, kernel) -> None:
    """Mount the console (``kernel`` is ``zerenzhi.app.Kernel``: used, not imported). Runs
    before the request pipeline is installed, so the CSRF check comes first."""
    from zerenzhi.console import (  # noqa: F401  (their views register on ``bp``)
        audit,
        bulletin,
        calendar,
        county,
        directives,
        inbox,
        modules,
        organisation,
        views,
    )

    _configure(app)
    app.register_blueprint(bp)
    names = _mount_plugin_pages(app, kernel)
    kernel.page_blueprints = frozenset({bp.name, *names})
    app.before_request(_head_as_get)
    app.before_request(_check_csrf)
    app.after_request(_as_page)
    app.context_processor(_layout)
    assert "township" in URL_TENANT_ARGS  # pages name their township as the API does
