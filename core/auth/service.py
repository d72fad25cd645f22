"""Logging in and out, looking up bearer tokens, throttling failed attempts."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Select, and_, bindparam, func, select, update
from sqlalchemy.orm import Session

from core.auth.models import AuthToken, LoginAttempt, UserAccount
from core.auth.passwords import DUMMY_HASH, verify_password
from core.db.base import utcnow
from core.tenancy.context import tenant_scope
from core.tenancy.models import Tenant

TOKEN_TTL = dt.timedelta(hours=12)
THROTTLE_WINDOW = dt.timedelta(minutes=15)
THROTTLE_FAILURES = 5


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed logins")
        self.retry_after = retry_after


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_at: dt.datetime
    user: UserAccount


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _recent_failures(session: Session, username: str, now: dt.datetime) -> int:
    since = now - THROTTLE_WINDOW
    return session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.at >= since,
            LoginAttempt.succeeded.is_(False),
        )
    )


def login(
    session: Session, username: str, password: str, remote_addr: str | None,
    ttl: dt.timedelta = TOKEN_TTL,
) -> IssuedToken | None:
    """Check a password and issue a token; None on a wrong name or password."""
    now = utcnow()
    if _recent_failures(session, username, now) >= THROTTLE_FAILURES:
        raise Throttled(int(THROTTLE_WINDOW.total_seconds()))
    user = session.scalar(
        select(UserAccount).where(UserAccount.username == username,
                                  UserAccount.disabled_at.is_(None))
    )
    ok, new_hash = verify_password(user.password_hash if user else DUMMY_HASH, password)
    session.add(LoginAttempt(username=username, remote_addr=remote_addr, at=now,
                             succeeded=bool(user and ok)))
    if not (user and ok):
        session.commit()
        return None
    if new_hash:
        _store_rehash(session, user, new_hash)
    token = secrets.token_urlsafe(32)
    expires_at = now + ttl
    session.add(AuthToken(user_id=user.id, token_hash=token_digest(token), expires_at=expires_at))
    return IssuedToken(token, expires_at, user)


def _store_rehash(session: Session, user: UserAccount, new_hash: str) -> None:
    """Keep the stronger hash; the change is audited in the user's home tenant."""
    home = session.get(Tenant, user.home_tenant_id) if user.home_tenant_id else None
    with tenant_scope(home.ref() if home else None):
        user.password_hash = new_hash
        session.flush()


def _token_statement(tenant_on) -> Select:
    """The live token's user and token, and the tenant matching ``tenant_on`` (outer join)."""
    return (
        select(UserAccount, AuthToken, Tenant)
        .join(AuthToken, AuthToken.user_id == UserAccount.id)
        .outerjoin(Tenant, tenant_on)
        .where(
            AuthToken.token_hash == bindparam("digest"),
            AuthToken.revoked_at.is_(None),
            AuthToken.expires_at > bindparam("now"),
            UserAccount.disabled_at.is_(None),
        )
    )


# Built once: a request only binds the digest, the time and the slug.
_TOKEN_AND_HOME = _token_statement(Tenant.id == UserAccount.home_tenant_id)
_TOKEN_AND_URL_TENANT = _token_statement(and_(
    Tenant.slug == bindparam("slug"), Tenant.kind == bindparam("kind"),
    Tenant.archived_at.is_(None)))


@dataclass(frozen=True)
class TokenLookup:
    user: UserAccount
    token: AuthToken
    tenant: Tenant | None


def lookup_token(session: Session, token: str,
                 url_tenant: tuple[str, str] | None = None) -> TokenLookup | None:
    """The user of a live (unexpired, unrevoked) token of an enabled account, in one round
    trip with a tenant: with ``url_tenant`` = (kind, slug), the live tenant the URL names
    (None if there is none); without, the user's home tenant (also left in the session's
    identity map, so ``session.get`` finds it without asking again). Hash lookup only."""
    params = {"digest": token_digest(token), "now": utcnow()}
    if url_tenant is None:
        statement = _TOKEN_AND_HOME
    else:
        statement = _TOKEN_AND_URL_TENANT
        params["kind"], params["slug"] = url_tenant
    row = session.execute(statement, params).first()
    return TokenLookup(row[0], row[1], row[2]) if row else None


def user_for_token(session: Session, token: str) -> tuple[UserAccount, AuthToken] | None:
    found = lookup_token(session, token)
    return (found.user, found.token) if found else None


def revoke(session: Session, token_id) -> None:
    session.execute(
        update(AuthToken).where(AuthToken.id == token_id).values(revoked_at=utcnow())
    )


def issue_token_for(session: Session, user: UserAccount, ttl: dt.timedelta = TOKEN_TTL) -> str:
    """A token without a password check: for the CLI and test fixtures."""
    token = secrets.token_urlsafe(32)
    session.add(AuthToken(user_id=user.id, token_hash=token_digest(token),
                          expires_at=utcnow() + ttl))
    return token
