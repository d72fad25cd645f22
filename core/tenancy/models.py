"""Tenants: counties and townships. A global reference table (not tenant-scoped)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Archivable, Base, new_id, utcnow
from zerenzhi.tenancy.context import TenantRef

TENANT_KINDS = ("county", "township")


class Tenant(Archivable, Base):
    __tablename__ = "tenant"
    __audit_tenant_attr__ = "id"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), default=None)
    county_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenant.id"), default=None)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # a township's go-live date: nothing is owed for a period that ends before it
    live_from: Mapped[dt.date | None] = mapped_column(default=None)
    # the default language of its pages (zh-Hant, zh-Hans, en); a township without one
    # takes its county's (console/i18n.py)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("kind IN ('county', 'township')", name="kind"),
        CheckConstraint(
            "(kind = 'township' AND county_id IS NOT NULL) OR "
            "(kind = 'county' AND county_id IS NULL)",
            name="county_link",
        ),
    )

    def ref(self) -> TenantRef:
        return TenantRef(
            id=self.id, kind=self.kind, slug=self.slug, county_id=self.county_id,
            timezone=self.timezone, live_from=self.live_from,
        )
