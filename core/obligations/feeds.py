"""Per-user calendar feed tokens: calendar clients subscribe to a URL and cannot send
bearer headers, so the ICS feed authenticates by a secret in its query string.

Only the token's sha256 is stored (``user_account.feed_token_hash``); issuing a new one
replaces it, which revokes the old URL (rotation after a leaked link). A feed token
opens nothing but views marked for feed authentication (``zerenzhi.web.pipeline``).

A token ends in its expiry (``<secret>.<unix seconds>``, ``ZERENZHI_FEED_TOKEN_DAYS`` after
issue): the stored hash covers it, so it cannot be extended, and an expired token is
refused before any lookup, exactly as an unknown one.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.auth.models import UserAccount
from zerenzhi.auth.service import token_digest
from zerenzhi.db.base import utcnow
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant

FEED_AUTH = "_zz_feed_auth"  # attribute marking a view that accepts ?token=
DEFAULT_DAYS = 365


def rotate(session: Session, user_id: uuid.UUID,
           days: int = DEFAULT_DAYS) -> tuple[str, Tenant | None]:
    """Issue a new feed token for the user, valid ``days``, revoking the previous one.

    Returns the token (shown once) and the user's home township, if they have one. The
    change is audited in the home tenant, with the hash masked like any token hash.
    """
    user = session.get(UserAccount, user_id)
    home = session.get(Tenant, user.home_tenant_id) if user.home_tenant_id else None
    expires = utcnow() + dt.timedelta(days=days)
    token = f"{secrets.token_urlsafe(32)}.{int(expires.timestamp())}"
    with tenant_scope(home.ref() if home else None):
        user.feed_token_hash = token_digest(token)
        session.flush()
    return token, home if home is not None and home.kind == "township" else None


def user_for_feed_token(session: Session, token: str) -> UserAccount | None:
    """The enabled account whose current feed token this is (a rotated or expired one finds
    no one; so does a token from before expiries, which has no date)."""
    _secret, _dot, expires = token.rpartition(".")
    if not (expires.isdigit() and len(expires) <= 12) or \
            int(expires) <= utcnow().timestamp():
        return None
    return session.scalar(select(UserAccount).where(
        UserAccount.feed_token_hash == token_digest(token), UserAccount.disabled_at.is_(None)))


def feed_url(public_url: str, township_slug: str, token: str, **params: str) -> str:
    """The subscription URL of a township's ICS feed for ``token``."""
    query = urlencode({"token": token, **params})
    return f"{public_url.rstrip('/')}/api/v1/townships/{township_slug}/calendar.ics?{query}"


def calendar_url(public_url: str, township_slug: str, **params: str) -> str:
    """A link back to the JSON calendar (bearer-authenticated), optionally filtered."""
    query = f"?{urlencode(params)}" if params else ""
    return f"{public_url.rstrip('/')}/api/v1/townships/{township_slug}/calendar{query}"
