"""Stores a tenant's ``[plugins.<name>]`` table from its provisioning file.

The seam for the plugin system: ``apply_plugin_state`` is replaced by a version that
validates settings against the plugin's schema and sends the lifecycle hooks. Until
then it checks only the table's shape and stores the settings as given.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.plugins.models import TenantPlugin
from core.tenancy.models import Tenant

TABLE_KEYS = ("enabled", "settings")


class PluginStateError(ValueError):
    """A plugin table is wrong; ``key`` is relative to ``plugins.<name>``."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key, self.message = key, message


def apply_plugin_state(session: Session, tenant: Tenant, name: str,
                       table: dict[str, Any]) -> list[str]:
    """Upsert the tenant's ``tenant_plugin`` row; return the change lines (none if equal).

    Runs inside ``tenant_scope(tenant.ref())``. A table that lists a plugin enables it
    unless it says ``enabled = false``.
    """
    for key in table:
        if key not in TABLE_KEYS:
            raise PluginStateError(key, f"unknown key (allowed: {', '.join(TABLE_KEYS)})")
    enabled = table.get("enabled", True)
    settings = table.get("settings", {})
    if not isinstance(enabled, bool):
        raise PluginStateError("enabled", "must be true or false")
    if not isinstance(settings, dict):
        raise PluginStateError("settings", "must be a table")
    row = session.scalar(select(TenantPlugin).where(TenantPlugin.plugin == name))
    label = f"{tenant.slug}/{name}"
    if row is None:
        session.add(TenantPlugin(plugin=name, enabled=enabled, settings=settings))
        session.flush()
        return [f"+ plugin {label}" + ("" if enabled else " (disabled)")]
    changed = []
    if row.enabled != enabled:
        row.enabled = enabled
        changed.append("enabled" if enabled else "disabled")
    if row.settings != settings:
        row.settings = settings
        changed.append("settings")
    session.flush()
    return [f"~ plugin {label} {', '.join(changed)}"] if changed else []
