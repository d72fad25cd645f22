"""Logging in and out, looking up bearer tokens, throttling failed attempts.

Throttling (issue 17, defect 10; decision 0016) is a back-off, not a lock: after
``THROTTLE_FREE`` failures of an account, each further attempt waits ``THROTTLE_BASE``
doubled per failure beyond, up to ``THROTTLE_MAX``, counted from the latest failure. An
address where the account has logged in before (a known client address) counts only the
failures made from it, so nobody elsewhere can lock the owner out; any other address also
backs off once ``THROTTLE_ADDRESS_FREE`` failures came from it, whatever the usernames.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
import unicodedata
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from zerenzhi.auth.models import AuthToken, LoginAttempt, UserAccount
from zerenzhi.auth.passwords import DUMMY_HASH, verify_password
from zerenzhi.db.base import utcnow
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant

TOKEN_TTL = dt.timedelta(hours=12)
THROTTLE_WINDOW = dt.timedelta(days=1)  # failures count this long, then are pruned
THROTTLE_FREE = 5  # an account's failures before it backs off
THROTTLE_ADDRESS_FREE = 30  # one address's failures, any usernames, before it backs off
THROTTLE_BASE = dt.timedelta(seconds=30)  # the first wait; doubled per further failure
THROTTLE_MAX = dt.timedelta(minutes=15)
KNOWN_ADDRESS_FOR = dt.timedelta(days=90)  # a login keeps its address known this long


def normalise_username(username: str) -> str:
    """NFKC, then case-fold: names that differ only by case or by a compatibility form
    (full-width letters) are one account, on creation and on login alike."""
    return unicodedata.normalize("NFKC", username).casefold()


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


def backoff(failures: int, free: int) -> dt.timedelta:
    """The wait after ``failures`` recent failures: none for the first ``free``, then
    ``THROTTLE_BASE`` doubling per failure, capped at ``THROTTLE_MAX``."""
    if failures < free:
        return dt.timedelta(0)
    return min(THROTTLE_BASE * 2 ** min(failures - free, 32), THROTTLE_MAX)


def _recent_failures(session: Session, now: dt.datetime, *criteria) -> tuple[int, dt.datetime]:
    """How many failures match ``criteria`` in the window, and the latest one's time."""
    count, latest = session.execute(
        select(func.count(), func.max(LoginAttempt.at))
        .where(LoginAttempt.at >= now - THROTTLE_WINDOW, LoginAttempt.succeeded.is_(False),
               *criteria)
    ).one()
    return count, latest


def _known_address(session: Session, username: str, remote_addr: str | None,
                   now: dt.datetime) -> bool:
    if remote_addr is None:
        return False
    return session.scalar(select(LoginAttempt.id).where(
        LoginAttempt.username == username, LoginAttempt.remote_addr == remote_addr,
        LoginAttempt.succeeded.is_(True), LoginAttempt.at >= now - KNOWN_ADDRESS_FOR,
    ).limit(1)) is not None


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops it


def throttle(session: Session, username: str, remote_addr: str | None,
             now: dt.datetime) -> None:
    """Raise ``Throttled`` (with the seconds left) while a back-off is running for this
    account as seen from this address, or for this address."""
    known = _known_address(session, username, remote_addr, now)
    account = [LoginAttempt.username == username]
    if known:  # failures made elsewhere do not slow the owner down here
        account.append(LoginAttempt.remote_addr == remote_addr)
    waits = [(_recent_failures(session, now, *account), THROTTLE_FREE)]
    if remote_addr is not None and not known:
        waits.append((_recent_failures(session, now, LoginAttempt.remote_addr == remote_addr),
                      THROTTLE_ADDRESS_FREE))
    left = max(((_as_utc(latest) + backoff(count, free) - now).total_seconds()
                for (count, latest), free in waits if latest is not None), default=0)
    if left > 0:
        raise Throttled(math.ceil(left))


def prune_attempts(session: Session, now: dt.datetime) -> None:
    """Forget failures past the window and logins past ``KNOWN_ADDRESS_FOR``: the log only
    throttles; it is not a record (decision 0016)."""
    session.execute(delete(LoginAttempt).where(or_(
        and_(LoginAttempt.succeeded.is_(False), LoginAttempt.at < now - THROTTLE_WINDOW),
        LoginAttempt.at < now - KNOWN_ADDRESS_FOR,
    )).execution_options(synchronize_session=False))


def _record(session: Session, username: str, remote_addr: str | None, now: dt.datetime,
            succeeded: bool) -> None:
    """Log the attempt; a login replaces the earlier logins of its account from the same
    address (only the latest keeps the address known), so the log stays small."""
    if succeeded:
        session.execute(delete(LoginAttempt).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True),
            LoginAttempt.remote_addr == remote_addr if remote_addr is not None
            else LoginAttempt.remote_addr.is_(None),
        ).execution_options(synchronize_session=False))
    session.add(LoginAttempt(username=username, remote_addr=remote_addr, at=now,
                             succeeded=succeeded))


def login(
    session: Session, username: str, password: str, remote_addr: str | None,
    ttl: dt.timedelta = TOKEN_TTL,
) -> IssuedToken | None:
    """Check a password and issue a token; None on a wrong name or password."""
    now = utcnow()
    username = normalise_username(username)
    prune_attempts(session, now)
    throttle(session, username, remote_addr, now)
    user = session.scalar(
        select(UserAccount).where(UserAccount.username == username,
                                  UserAccount.disabled_at.is_(None))
    )
    ok, new_hash = verify_password(user.password_hash if user else DUMMY_HASH, password)
    _record(session, username, remote_addr, now, bool(user and ok))
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


@dataclass(frozen=True)
class Caller:
    """The account a live token belongs to, as a request needs it (global, no tenant data)."""

    id: uuid.UUID
    username: str
    display_name: str
    home_tenant_id: uuid.UUID | None
    platform_admin: bool


@dataclass(frozen=True)
class TokenLookup:
    user: Caller
    token_id: uuid.UUID
    tenant: Tenant | None


_USER, _TOKEN, _TENANT = UserAccount.__table__, AuthToken.__table__, Tenant.__table__
_CALLER = [_USER.c[name] for name in Caller.__dataclass_fields__]
_TENANT_COLUMNS = [column.label(f"tenant_{column.key}") for column in _TENANT.c]


def _token_statement(tenant_on) -> Select:
    """The live token's account and id, and the tenant matching ``tenant_on`` (outer join):
    global tables only, so plain Core — no ORM objects or tenant criteria to build."""
    return (
        select(*_CALLER, _TOKEN.c.id.label("token_id"), *_TENANT_COLUMNS)
        .select_from(_USER.join(_TOKEN, _TOKEN.c.user_id == _USER.c.id)
                     .outerjoin(_TENANT, tenant_on))
        .where(
            _TOKEN.c.token_hash == bindparam("digest"),
            _TOKEN.c.revoked_at.is_(None),
            _TOKEN.c.expires_at > bindparam("now"),
            _USER.c.disabled_at.is_(None),
        )
    )


# Built once: a request only binds the digest, the time and the slug.
_TOKEN_AND_HOME = _token_statement(_TENANT.c.id == _USER.c.home_tenant_id)
_TOKEN_AND_URL_TENANT = _token_statement(and_(
    _TENANT.c.slug == bindparam("slug"), _TENANT.c.kind == bindparam("kind"),
    _TENANT.c.archived_at.is_(None)))


def _persistent_tenant(session: Session, row) -> Tenant | None:
    """The row's tenant as the session's persistent ``Tenant``, exactly as a query would
    have loaded it (the one already in the identity map, if any), without a second query."""
    values = {column.key: row[f"tenant_{column.key}"] for column in _TENANT.c}
    if values["id"] is None:
        return None
    existing = session.identity_map.get(session.identity_key(Tenant, values["id"]))
    if existing is not None:
        return existing
    tenant = Tenant(**values)
    make_transient_to_detached(tenant)  # clean, as if loaded
    session.add(tenant)
    return tenant


def lookup_token(session: Session, token: str,
                 url_tenant: tuple[str, str] | None = None) -> TokenLookup | None:
    """The account of a live (unexpired, unrevoked) token of an enabled account, in one round
    trip with a tenant: with ``url_tenant`` = (kind, slug), the live tenant the URL names
    (None if there is none); without, the user's home tenant (left in the session, so
    ``session.get`` finds it without asking again). A hash lookup: no password hashing."""
    params = {"digest": token_digest(token), "now": utcnow()}
    if url_tenant is None:
        statement = _TOKEN_AND_HOME
    else:
        statement = _TOKEN_AND_URL_TENANT
        params["kind"], params["slug"] = url_tenant
    row = session.connection().execute(statement, params).first()
    if row is None:
        return None
    mapping = row._mapping
    caller = Caller(*(mapping[column] for column in _CALLER))
    return TokenLookup(caller, mapping["token_id"], _persistent_tenant(session, mapping))


def revoke(session: Session, token_id) -> None:
    session.execute(
        update(AuthToken).where(AuthToken.id == token_id).values(revoked_at=utcnow())
    )


def revoke_all(session: Session, user: UserAccount, *, keep: uuid.UUID | None = None) -> None:
    """Revoke every live bearer token of ``user`` but ``keep``, and its feed token: what a
    new password or a disabled account leaves usable of the old sessions. Call it in the
    user's home tenant, where the cleared feed token is audited."""
    live = update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
    if keep is not None:
        live = live.where(AuthToken.id != keep)
    session.execute(live.values(revoked_at=utcnow()))
    user.feed_token_hash = None
    session.flush()


def check_current_password(session: Session, user: UserAccount, password: str,
                           remote_addr: str | None) -> bool:
    """Whether ``password`` is ``user``'s, before they change it: throttled and recorded as
    a login is, so a stolen token is no way to guess it (a failure is committed at once)."""
    now = utcnow()
    throttle(session, user.username, remote_addr, now)
    ok, _ = verify_password(user.password_hash, password)
    _record(session, user.username, remote_addr, now, ok)
    if not ok:
        session.commit()
    return ok


def issue_token_for(session: Session, user: UserAccount, ttl: dt.timedelta = TOKEN_TTL) -> str:
    """A token without a password check: for the CLI and test fixtures."""
    token = secrets.token_urlsafe(32)
    session.add(AuthToken(user_id=user.id, token_hash=token_digest(token),
                          expires_at=utcnow() + ttl))
    return token
