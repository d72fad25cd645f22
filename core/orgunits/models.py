"""The township's org tree (committee, branches, villages, stations, office)."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Archivable, Base, CountyReadable, TenantScoped, Timestamped, tenant_fk

# the kinds of unit in a township's org tree: its party committee (the root), party
# branches, villages (residents' committees), stations and the office (M1–M3, W2–W4)
UNIT_KINDS = ("committee", "branch", "village", "station", "office")


class OrgUnit(TenantScoped, CountyReadable, Archivable, Timestamped, Base):
    """A unit of the township's org tree (``kind`` in ``UNIT_KINDS``; ``code`` unique in
    the township, e.g. ``branch-1``): what obligations are owed by and records belong to.
    Read it through ``get_unit``/``live_unit``/``units_of_kind``; plugins never write it."""

    __tablename__ = "org_unit"
    # county-readable: unit names label the county's overdue list

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
