"""Accounts, membership and positions inside the tenant of the current context."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.auth.grants import check_grant, check_password_reset
from zerenzhi.auth.identity import Identity
from zerenzhi.auth.models import Member, Position, UserAccount
from zerenzhi.auth.passwords import MIN_LENGTH, hash_password
from zerenzhi.auth.roles import ROLES
from zerenzhi.auth.service import check_current_password, normalise_username, revoke_all
from zerenzhi.db.base import utcnow
from zerenzhi.domain import DomainError
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.orgunits.service import get_unit, root_unit
from zerenzhi.tenancy.context import require_tenant, tenant_scope
from zerenzhi.tenancy.models import Tenant


class UserError(DomainError):
    """An account or a post that does not fit the township. Its own class because the
    ``users`` commands and provisioning files catch it to report it their way; the API
    maps it as any ``DomainError``."""


def check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise UserError("password", f"at least {MIN_LENGTH} characters")


def _post_unit(session: Session, role: str, unit_id: uuid.UUID | None) -> OrgUnit | None:
    spec = ROLES.get(role)
    tenant = require_tenant()
    if spec is None or spec.tenant_kind != tenant.kind:
        allowed = sorted(n for n, r in ROLES.items() if r.tenant_kind == tenant.kind)
        raise UserError("role", f"one of {', '.join(allowed)}")
    if tenant.kind == "county":
        if unit_id is not None:
            raise UserError("unit_id", "county positions have no unit")
        return None
    if unit_id is None:
        if spec.needs_unit:
            raise UserError("unit_id", f"a {role} is posted to a unit")
        return root_unit(session)
    unit = get_unit(session, unit_id, include_archived=False)
    if unit is None:
        raise UserError("unit_id", "no such unit in this township")
    return unit


def add_position(session: Session, member: Member, role: str,
                 unit_id: uuid.UUID | None = None, *, by: Identity | None) -> Position:
    """Post ``member`` to ``role`` at a unit, if ``by`` may (``grants``: who posts whom;
    ``OPERATOR`` for the CLI and tenant files)."""
    unit = _post_unit(session, role, unit_id)
    check_grant(by, member.id, role)
    position = Position(member_id=member.id, role=role, unit_id=unit.id if unit else None)
    session.add(position)
    session.flush()
    return position


def end_position(session: Session, position: Position) -> Position:
    if position.ended_at is None:
        position.ended_at = utcnow()
        session.flush()
    return position


def create_user(session: Session, *, username: str, display_name: str, password: str,
                positions: list[dict] | tuple = (), by: Identity | None) -> Member:
    """A new account whose home is the current tenant, with its first positions (each
    checked as ``add_position`` checks it)."""
    tenant = require_tenant()
    check_password(password)
    username = normalise_username(username)
    if session.scalar(select(UserAccount.id).where(UserAccount.username == username)):
        raise UserError("username", "this username is not available", 409)
    account = UserAccount(username=username, display_name=display_name,
                          password_hash=hash_password(password), home_tenant_id=tenant.id)
    session.add(account)
    session.flush()
    member = Member(id=account.id, display_name=display_name)
    session.add(member)
    session.flush()
    for post in positions:
        add_position(session, member, post["role"], post.get("unit_id"), by=by)
    return member


def account_of(session: Session, member: Member) -> UserAccount:
    return session.get(UserAccount, member.id)


def update_user(session: Session, member: Member, changes: dict, *,
                by: Identity | None) -> Member:
    """Rename, reset the password of (if ``by`` may grant the member's posts), disable or
    re-enable a member."""
    account = account_of(session, member)
    if "password" in changes:
        check_password(changes["password"])
        posts = member_positions(session, member.id, active_only=True)
        check_password_reset(by, member.id, {post.role for post in posts})
        set_password(session, account, changes["password"])
    if "display_name" in changes:
        member.display_name = account.display_name = changes["display_name"]
    if "disabled" in changes:
        disabled = changes["disabled"]
        if disabled and account.disabled_at is None:
            revoke_all(session, account)  # re-enabling must not revive the old sessions
        account.disabled_at = (account.disabled_at or utcnow()) if disabled else None
        member.archived_at = account.disabled_at
    session.flush()
    return member


def set_password(session: Session, account: UserAccount, password: str, *,
                 keep_token: uuid.UUID | None = None) -> None:
    """A new password ends the old one's sessions: every bearer token of the account (but
    ``keep_token``, the one a self-service change was made with) and its feed token."""
    check_password(password)
    account.password_hash = hash_password(password)
    revoke_all(session, account, keep=keep_token)


def change_own_password(session: Session, user_id: uuid.UUID, current: str, new: str, *,
                        remote_addr: str | None, keep_token: uuid.UUID | None) -> None:
    """The caller's own change, proven by the current password (a stolen token alone must
    not lock the owner out); audited in their home tenant, as any change of the account."""
    account = session.get(UserAccount, user_id)
    if not check_current_password(session, account, current, remote_addr):
        raise UserError("current_password", "not your current password")
    home = session.get(Tenant, account.home_tenant_id) if account.home_tenant_id else None
    with tenant_scope(home.ref() if home else None):
        set_password(session, account, new, keep_token=keep_token)


def member_positions(session: Session, member_id: uuid.UUID, *, active_only: bool = False):
    statement = select(Position).where(Position.member_id == member_id)
    if active_only:
        statement = statement.where(Position.ended_at.is_(None))
    return session.scalars(statement.order_by(Position.started_at)).all()


def user_views(session: Session, members: Sequence[Member]) -> list[dict[str, Any]]:
    """``members`` as the API shows them, with username and current positions: two
    statements for a whole page, whatever its size."""
    ids = [member.id for member in members]
    usernames: dict[uuid.UUID, str] = {}
    posts: dict[uuid.UUID, list[Position]] = {member_id: [] for member_id in ids}
    if ids:
        usernames.update(session.execute(
            select(UserAccount.id, UserAccount.username).where(UserAccount.id.in_(ids))).all())
        for position in session.scalars(
                select(Position).where(Position.member_id.in_(ids), Position.ended_at.is_(None))
                .order_by(Position.started_at)):
            posts[position.member_id].append(position)
    return [{"id": member.id, "username": usernames.get(member.id),
             "display_name": member.display_name, "archived_at": member.archived_at,
             "positions": posts[member.id]} for member in members]
