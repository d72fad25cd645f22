"""Who is calling, in which tenant, with which roles and permissions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from zerenzhi.auth.models import Position, UserAccount
from zerenzhi.auth.service import Caller
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant


@dataclass(frozen=True)
class PostRef:
    role: str
    unit_id: uuid.UUID | None
    position_id: uuid.UUID


@dataclass(frozen=True)
class Identity:
    user_id: uuid.UUID
    username: str
    display_name: str
    home_tenant_id: uuid.UUID | None
    platform_admin: bool
    tenant_id: uuid.UUID | None
    posts: tuple[PostRef, ...] = ()
    permissions: frozenset[str] = field(default_factory=frozenset)

    @property
    def roles(self) -> frozenset[str]:
        roles = {post.role for post in self.posts}
        if self.platform_admin:
            roles.add("platform_admin")
        return frozenset(roles)


# Built once; a request binds the user. Roles are re-read on every request, never cached.
_ACTIVE_POSTS = select(Position.role, Position.unit_id, Position.id).where(
    Position.member_id == bindparam("member_id"), Position.ended_at.is_(None)
).order_by(Position.started_at)


def active_posts(session: Session, user_id: uuid.UUID) -> tuple[PostRef, ...]:
    """The caller's open positions in the tenant of the current context."""
    rows = session.execute(_ACTIVE_POSTS, {"member_id": user_id}).all()
    return tuple(PostRef(role, unit_id, position_id) for role, unit_id, position_id in rows)


def load_identity(
    session: Session, user: Caller | UserAccount, tenant: Tenant | None, permissions_for
) -> Identity:
    """Posts only in the user's home tenant; with no URL tenant, in the home tenant."""
    scope_tenant = tenant
    if scope_tenant is None and user.home_tenant_id is not None:
        scope_tenant = session.get(Tenant, user.home_tenant_id)
    posts: tuple[PostRef, ...] = ()
    if scope_tenant is not None and scope_tenant.id == user.home_tenant_id:
        with tenant_scope(scope_tenant.ref()):
            posts = active_posts(session, user.id)
    roles = {post.role for post in posts}
    if user.platform_admin:
        roles.add("platform_admin")
    return Identity(
        user_id=user.id, username=user.username, display_name=user.display_name,
        home_tenant_id=user.home_tenant_id, platform_admin=user.platform_admin,
        tenant_id=tenant.id if tenant else None, posts=posts,
        permissions=permissions_for(frozenset(roles)),
    )
