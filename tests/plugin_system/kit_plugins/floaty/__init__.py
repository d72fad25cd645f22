"""A plugin whose model says ``Float`` while its migration says ``sa.Double()``: the same
float8 on PostgreSQL, yet drift between models and migrations."""

from __future__ import annotations

from sqlalchemy import Float
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi import Base, Label, Manifest, TenantScoped


class Reading(TenantScoped, Base):
    __tablename__ = "floaty_reading"

    value: Mapped[float] = mapped_column(Float)


class FloatyPlugin:
    manifest = Manifest(name="floaty", version="0.1", title=Label("浮點", "Floaty"),
                        migrations="tests.plugin_system.kit_plugins.floaty:migrations")
