"""Per-request pipeline: request id, bearer token, tenant from the URL, identity.

A township or county in the URL is entered only after the membership check; a
foreign tenant answers exactly like one that does not exist (``not_found``, which views
use for their own records too). ``install`` hooks it into the app in ``create_app``.
"""

from __future__ import annotations

import time
from typing import NoReturn

from flask import Flask, current_app, g, request
from flask import session as cookie
from flask_smorest import abort
from sqlalchemy import select

from zerenzhi.audit.recorder import Actor, reset_actor, set_actor
from zerenzhi.auth.identity import load_identity
from zerenzhi.auth.service import lookup_token
from zerenzhi.db.session import close_session, session
from zerenzhi.obligations.feeds import FEED_AUTH, user_for_feed_token
from zerenzhi.observability.logs import REQUEST_ID_HEADER, request_id
from zerenzhi.observability.metrics import ENDPOINT as METRICS_ENDPOINT
from zerenzhi.tenancy.context import reset_tenant, set_tenant
from zerenzhi.tenancy.models import Tenant

NOT_FOUND = "not found"
URL_TENANT_ARGS = {"township": "township", "county": "county"}


def not_found() -> NoReturn:
    """Raise the 404 every unknown *or foreign* record gets: the same status and body, so a
    township cannot learn that another township's id exists. It never returns."""
    abort(404, message=NOT_FOUND)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def _console_token() -> str | None:
    """The token a console login keeps in the signed, HttpOnly session cookie, for page
    routes only: the API never reads cookies, so no form on another site can call it. A
    session idle longer than ``CONSOLE_IDLE_MINUTES`` is forgotten (the next page asks to
    log in again); reading it keeps it alive."""
    if request.blueprint not in current_app.extensions["zerenzhi"].page_blueprints:
        return None
    token, seen = cookie.get("zz_token"), cookie.get("zz_seen")
    if not token:
        return None
    now = int(time.time())
    if not isinstance(seen, int) or now - seen > 60 * current_app.config["CONSOLE_IDLE_MINUTES"]:
        cookie.clear()
        return None
    if now - seen >= 60:  # the cookie is re-sent once a minute at most, not on every page
        cookie["zz_seen"] = now
    return token


def _feed_token_user(sess):
    """``?token=`` for views marked for feed auth only (calendar clients send no headers)."""
    token = request.args.get("token")
    if not token:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    method = "get" if request.method == "HEAD" else request.method.lower()
    handler = getattr(getattr(view, "view_class", None), method, view)
    if getattr(handler, FEED_AUTH, False) is not True:
        return None
    user = user_for_feed_token(sess, token)
    return (user, None) if user is not None else None


def _url_tenant_arg(view_args: dict) -> tuple[str, str] | None:
    """(kind, slug) of the tenant the URL names, taken out of the view's arguments."""
    for arg, kind in URL_TENANT_ARGS.items():
        if arg in view_args:
            return kind, view_args.pop(arg)
    return None


def _tenant_by_slug(sess, kind: str, slug: str) -> Tenant | None:
    return sess.scalar(select(Tenant).where(
        Tenant.slug == slug, Tenant.kind == kind, Tenant.archived_at.is_(None)))


def _admits(user, kind: str, tenant: Tenant) -> bool:
    if user.home_tenant_id == tenant.id:
        return True
    return kind == "county" and user.platform_admin


def before_request() -> None:
    """Token, tenant and identity in one transaction, which the view then continues: the
    token, its user and the URL's tenant come in one statement; the tenant is entered as
    soon as the membership check passes, so the caller's posts are read inside it."""
    if request.endpoint == METRICS_ENDPOINT:
        return  # the scraper's endpoint guards itself, like the probes it touches no tenant
    g.request_id = request_id(request.headers.get(REQUEST_ID_HEADER))
    sess = session()
    view_args = request.view_args if request.view_args is not None else {}
    url_tenant = _url_tenant_arg(view_args)
    token = _bearer() or _console_token()
    tenant = None
    if token:
        lookup = lookup_token(sess, token, url_tenant)
        found = (lookup.user, lookup.token_id) if lookup else None
        tenant = lookup.tenant if lookup and url_tenant else None
    else:
        found = _feed_token_user(sess)
        if found is not None and url_tenant is not None:
            tenant = _tenant_by_slug(sess, *url_tenant)
    if url_tenant is not None:
        if found is None:
            abort(401, message="authentication required: send 'Authorization: Bearer <token>'")
        if tenant is None or not _admits(found[0], url_tenant[0], tenant):
            not_found()
    if found is None:
        return
    user, token_id = found
    if tenant is not None:
        g.zz_tenant = tenant
        g.zz_tenant_token = set_tenant(tenant.ref())
    registry = current_app.extensions["zerenzhi"].permissions
    g.zz_identity = load_identity(sess, user, tenant, registry.for_roles)
    g.zz_token_id = token_id  # None: a feed token
    g.zz_actor_token = set_actor(Actor(user.username, user.id, g.request_id))


def teardown_request(_exc: BaseException | None = None) -> None:
    token = g.pop("zz_tenant_token", None)
    if token is not None:
        reset_tenant(token)
    actor = g.pop("zz_actor_token", None)
    if actor is not None:
        reset_actor(actor)


def after_request(response):
    if g.get("request_id"):
        response.headers.setdefault(REQUEST_ID_HEADER, g.request_id)
    return response


def install(app: Flask) -> None:
    app.before_request(before_request)
    app.after_request(after_request)
    app.teardown_request(teardown_request)
    app.teardown_appcontext(close_session)
