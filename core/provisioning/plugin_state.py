"""Applies a tenant's ``[plugins.<name>]`` table from its provisioning file through the
plugin service, so files get the same validation, layering and hooks as the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.plugin_host import service
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.tenancy.models import Tenant

TABLE_KEYS = ("enabled", "settings")


class PluginStateError(ValueError):
    """A plugin table is wrong; ``key`` is relative to ``plugins.<name>``."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key, self.message = key, message


def _check_shape(table: dict[str, Any]) -> tuple[bool, dict]:
    for key in table:
        if key not in TABLE_KEYS:
            raise PluginStateError(key, f"unknown key (allowed: {', '.join(TABLE_KEYS)})")
    enabled, settings = table.get("enabled", True), table.get("settings", {})
    if not isinstance(enabled, bool):
        raise PluginStateError("enabled", "must be true or false")
    if not isinstance(settings, dict):
        raise PluginStateError("settings", "must be a table")
    return enabled, settings


def apply_plugin_state(session: Session, tenant: Tenant, name: str,
                       table: dict[str, Any]) -> list[str]:
    """Make the tenant's module state match the table; return the change lines.

    Runs inside ``tenant_scope(tenant.ref())``. For a county the settings are its layer
    for all its townships; for a township, its own layer and whether it is enabled.
    """
    enabled, settings = _check_shape(table)
    label = f"{tenant.slug}/{name}"
    try:
        service.manifest_of(name)
    except service.UnknownPlugin as missing:
        raise PluginStateError("", f"module {name!r} is not installed") from missing
    row = session.scalar(select(TenantPlugin).where(TenantPlugin.plugin == name))
    before = (row.enabled, service.opened(row)) if row else None  # secrets as values
    try:
        if tenant.kind == "county":
            if before is None or before[1] != settings:
                service.set_county_layer(session, name, settings)
        elif enabled and (before is None or before != (True, settings)):
            service.enable(session, name, settings)
        elif not enabled and (before is None or before[0]):
            if before is None:
                session.add(TenantPlugin(plugin=name, enabled=False,
                                         settings=service.sealed(name, settings)))
                session.flush()
            else:
                service.disable(session, name)
    except service.SettingsInvalid as invalid:
        raise PluginStateError("settings", f"do not validate: {invalid.messages}") from invalid
    row = session.scalar(select(TenantPlugin).where(TenantPlugin.plugin == name))
    after = (row.enabled, service.opened(row)) if row else None
    if after == before:
        return []
    if before is None:
        return [f"+ plugin {label}" + ("" if after[0] or tenant.kind == "county"
                                       else " (disabled)")]
    changed = [word for word, differs in (
        ("enabled" if after[0] else "disabled", before[0] != after[0]),
        ("settings", before[1] != after[1])) if differs]
    return [f"~ plugin {label} {', '.join(changed)}"]
