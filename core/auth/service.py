"""Logging in and out, looking up bearer tokens, throttling failed attempts."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
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


def user_for_token(session: Session, token: str) -> tuple[UserAccount, AuthToken] | None:
    row = session.execute(
        select(UserAccount, AuthToken)
        .join(AuthToken, AuthToken.user_id == UserAccount.id)
        .where(
            AuthToken.token_hash == token_digest(token),
            AuthToken.revoked_at.is_(None),
            AuthToken.expires_at > utcnow(),
            UserAccount.disabled_at.is_(None),
        )
    ).first()
    return (row[0], row[1]) if row else None


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
