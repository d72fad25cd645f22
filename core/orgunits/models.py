"""The township's org tree (committee, branches, villages, stations, office)."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Archivable, Base, TenantScoped, Timestamped, tenant_fk

UNIT_KINDS = ("committee", "branch", "village", "station", "office")


class OrgUnit(TenantScoped, Archivable, Timestamped, Base):
    __tablename__ = "org_unit"
    __county_readable__ = True  # unit names label the county's overdue list

    code: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(default=None)

    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        tenant_fk("parent_id", "org_unit"),
        CheckConstraint(
            "kind IN ('committee', 'branch', 'village', 'station', 'office')", name="kind"
        ),
    )
