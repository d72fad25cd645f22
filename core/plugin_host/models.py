"""Per-tenant plugin state: enabled or not, and the tenant's own settings layer."""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Base, CountyReadable, TenantScoped, Timestamped
from zerenzhi.secrets import secret_fields


class TenantPlugin(TenantScoped, CountyReadable, Timestamped, Base):
    __tablename__ = "tenant_plugin"
    # county-readable: which modules a township enabled (not their records)

    plugin: Mapped[str] = mapped_column(String(31))
    enabled: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict] = mapped_column(default=dict)
    settings_version: Mapped[int] = mapped_column(default=1)
    problem: Mapped[str | None] = mapped_column(String(500), default=None)

    __table_args__ = (UniqueConstraint("tenant_id", "plugin"),)

    def audit_secret_keys(self) -> frozenset[str]:
        """The settings schema's secret fields, which the audit log masks (it masks every
        key named like a secret too, and every encrypted value)."""
        if not has_app_context():
            return frozenset()
        found = current_app.extensions["zerenzhi"].plugins.installed.get(self.plugin)
        return secret_fields(found.manifest.settings) if found else frozenset()
