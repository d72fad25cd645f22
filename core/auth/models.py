"""Identity (global) and membership, positions (tenant-scoped).

Usernames are unique across the service and tokens are looked up before any tenant
is known, so accounts and tokens are global; what a person is *in a township* — their
membership and positions — is tenant data, scoped like any other.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Archivable, Base, TenantScoped, Timestamped, new_id, tenant_fk, utcnow


class UserAccount(Base):
    __tablename__ = "user_account"
    __audit_tenant_attr__ = "home_tenant_id"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(200))
    home_tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenant.id"))
    platform_admin: Mapped[bool] = mapped_column(default=False)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class AuthToken(Base):
    __tablename__ = "auth_token"
    __audit__ = False  # login and logout are logged by the auth routes, not as row diffs

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class LoginAttempt(Base):
    __tablename__ = "login_attempt"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(150))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]

    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),
                      Index("ix_login_attempt_remote_addr_at", "remote_addr", "at"))


class Member(TenantScoped, Archivable, Timestamped, Base):
    """A user account as a member of one tenant; ``id`` is the account's id."""

    __tablename__ = "member"

    id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id"), primary_key=True, sort_order=-9
    )
    display_name: Mapped[str] = mapped_column(String(200))


class Position(TenantScoped, Timestamped, Base):
    """A (role, unit) post held by a member; ended, never deleted, so history stays."""

    __tablename__ = "position"

    member_id: Mapped[uuid.UUID]
    role: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (
        tenant_fk("member_id", "member"),
        tenant_fk("unit_id", "org_unit"),
        Index("ix_position_unit_role", "tenant_id", "unit_id", "role"),
    )
