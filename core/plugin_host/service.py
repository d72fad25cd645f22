"""Per-tenant plugin state: enabling, disabling, settings in layers, runtime hooks.

Effective settings = the plugin schema's defaults, then the county's layer, then the
township's own, validated as a whole by the plugin's schema. Each value's source is
reported. Stored settings that no longer validate (after a plugin upgrade) disable the
plugin for that tenant with a logged problem instead of failing every request.

Fields the schema marks ``metadata={"secret": True}`` are stored encrypted (``secrets``)
and decrypted here, so hooks and ``plugin_settings`` see the value; in a layer as sent,
``{"set": true}`` keeps the stored value and ``{"set": false}`` clears it.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from flask import current_app, g, has_request_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import secrets
from zerenzhi.db.scoping import UNSCOPED
from zerenzhi.domain import DomainError
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.tenancy.context import (
    TenantContextError,
    TenantRef,
    county_reads,
    require_tenant,
    tenant_scope,
)
from zerenzhi.tenancy.models import Tenant

log = logging.getLogger("zerenzhi.plugins")


class SettingsInvalid(DomainError):
    """A module's settings that its schema (or its ``on_enable``) refuses: 422 on
    ``settings`` with the schema's ``messages`` per field. Its own class because the request
    guard and tenant files catch it."""

    def __init__(self, messages: dict) -> None:
        super().__init__("settings", "settings do not validate")
        self.messages = messages

    @property
    def errors(self) -> dict[str, dict[str, dict]]:
        return {self.location: {self.field: self.messages}}


class UnknownPlugin(LookupError):
    pass


@dataclass
class PluginState:
    name: str
    enabled: bool
    settings: dict[str, Any]
    sources: dict[str, str]
    township_layer: dict[str, Any] = field(default_factory=dict)
    county_layer: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


def _plugins():
    return current_app.extensions["zerenzhi"].plugins


def manifest_of(name: str):
    installed = _plugins().installed.get(name)
    if installed is None:
        raise UnknownPlugin(name)
    return installed.manifest


def installed(name: str):
    """The installed plugin ``name`` (manifest, source), or None."""
    return _plugins().installed.get(name)


def _row(session: Session, name: str) -> TenantPlugin | None:
    return session.scalar(select(TenantPlugin).where(TenantPlugin.plugin == name))


def _county_ref(session: Session, tenant: TenantRef) -> TenantRef | None:
    if tenant.kind != "township" or tenant.county_id is None:
        return None
    county = session.get(Tenant, tenant.county_id)
    return county.ref() if county else None


def _stored_county_layer(session: Session, tenant: TenantRef, name: str) -> dict[str, Any]:
    county = _county_ref(session, tenant)
    if county is None:
        return {}
    with tenant_scope(county):
        row = _row(session, name)
        return dict(row.settings) if row else {}


def county_layer(session: Session, tenant: TenantRef, name: str) -> dict[str, Any]:
    """The county's settings for ``name`` (secrets decrypted): read in the county's scope."""
    return _open(name, _stored_county_layer(session, tenant, name))[0]


def _secret_names(name: str) -> frozenset[str]:
    return secrets.secret_fields(manifest_of(name).settings)


def _open(name: str, stored: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A stored layer with its secrets decrypted, and the keys that could not be (a lost
    key): those keep their token. A plain value from before encryption passes as it is."""
    opened, unreadable = dict(stored), []
    for key in _secret_names(name) & opened.keys():
        if secrets.is_sealed(opened[key]):
            try:
                opened[key] = secrets.unseal(opened[key])
            except secrets.SecretKeyError:
                unreadable.append(key)
    return opened, unreadable


def opened(row: TenantPlugin) -> dict[str, Any]:
    """A row's own layer as its values, for comparing with a tenant file's."""
    return _open(row.plugin, row.settings or {})[0]


def _incoming(name: str, layer: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """A layer as sent, with its secrets as values: ``{"set": true}`` keeps the ``stored``
    one, ``{"set": false}`` clears it, a sealed string (a tenant file exported from here)
    is decrypted so the schema validates the value."""
    values, errors = dict(layer), {}
    for key in _secret_names(name) & layer.keys():
        value = layer[key]
        if value == {"set": False}:
            del values[key]
        elif value == {"set": True}:
            if key in stored and not secrets.is_sealed(stored[key]):
                values[key] = stored[key]
            else:
                errors[key] = ["no stored value to keep: send the value"]
        elif secrets.is_sealed(value):
            try:
                values[key] = secrets.unseal(value)
            except secrets.SecretKeyError:
                errors[key] = ["cannot be decrypted with the configured keys"]
    if errors:
        raise SettingsInvalid(errors)
    return values


def _seal(name: str, layer: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """``layer`` as stored: secrets encrypted under the first key. A stored token that
    already holds the value under it is kept, so re-saving audits no change."""
    sealed = dict(layer)
    for key in _secret_names(name) & layer.keys():
        if layer[key] is not None:
            old = stored.get(key)
            sealed[key] = old if secrets.holds(old, layer[key]) else secrets.seal(layer[key])
    return sealed


def sealed(name: str, layer: dict[str, Any]) -> dict[str, Any]:
    """A new row's layer as stored (for a tenant file's disabled module)."""
    return _seal(name, _incoming(name, layer, {}), {})


def _dump(schema: ma.Schema, loaded: dict) -> dict:
    return schema.dump(loaded)


def merge(name: str, county: dict, township: dict) -> tuple[dict, dict]:
    """Validate the layers together; return (effective settings as JSON, source per key)."""
    schema = manifest_of(name).settings()
    try:
        loaded = schema.load({**county, **township})
    except ma.ValidationError as error:
        raise SettingsInvalid(error.normalized_messages()) from error
    effective = _dump(schema, loaded)
    sources = {
        key: "township" if key in township else "county" if key in county else "default"
        for key in effective
    }
    return effective, sources


def state(session: Session, name: str) -> PluginState:
    tenant = require_tenant()
    manifest_of(name)
    row = _row(session, name)
    own, unreadable = _open(name, row.settings or {}) if row else ({}, [])
    if tenant.kind == "county":
        (county, unread_county), own = (own, unreadable), {}
    else:
        county, unread_county = _open(name, _stored_county_layer(session, tenant, name))
    enabled = bool(row and row.enabled)
    problem = row.problem if row else None
    try:
        if unreadable or unread_county:
            raise SettingsInvalid({key: ["stored secret cannot be decrypted with "
                                         "ZERENZHI_SECRET_KEYS"]
                                   for key in unreadable + unread_county})
        effective, sources = merge(name, county, own)
    except SettingsInvalid as invalid:
        effective, sources = {}, {}
        problem = f"stored settings no longer validate: {invalid.messages}"
    return PluginState(name, enabled, effective, sources, own, county, problem)


def call_one(name: str, hook: str, **kwargs) -> None:
    """Call one plugin's implementation of ``hook`` (lifecycle hooks reach only it)."""
    plugins = _plugins()
    others = [p.plugin for n, p in plugins.installed.items() if n != name]
    plugins.pm.subset_hook_caller(hook, remove_plugins=others)(**kwargs)


def enable(session: Session, name: str, settings: dict | None) -> PluginState:
    """Enable ``name`` here with the township's layer ``settings`` (None keeps the stored)."""
    tenant = require_tenant()
    manifest = manifest_of(name)
    row = _row(session, name)
    stored = _open(name, row.settings or {})[0] if row else {}
    own = stored if settings is None else _incoming(name, settings, stored)
    before = state(session, name).settings if row else {}
    effective, _sources = merge(name, county_layer(session, tenant, name), own)
    was_enabled = bool(row and row.enabled)
    if row is None:
        row = TenantPlugin(plugin=name)
        session.add(row)
    row.enabled, row.problem = True, None
    row.settings = _seal(name, own, row.settings or {})
    row.settings_version = manifest.settings_version
    session.flush()
    if not was_enabled:
        try:
            call_one(name, "on_enable", session=session, tenant=tenant, settings=effective)
        except ma.ValidationError as refused:  # a plugin may refuse with field errors
            raise SettingsInvalid(refused.normalized_messages()) from refused
    elif before != effective:
        call_one(name, "on_settings_changed", session=session, tenant=tenant,
                  old=before, new=effective)
    forget_enabled_cache()
    return state(session, name)


def disable(session: Session, name: str, problem: str | None = None) -> PluginState:
    """Disable ``name`` here. Its records stay; disabling never deletes."""
    tenant = require_tenant()
    manifest_of(name)
    row = _row(session, name)
    if row is not None and row.enabled:
        row.enabled, row.problem = False, problem
        session.flush()
        call_one(name, "on_disable", session=session, tenant=tenant)
    forget_enabled_cache()
    return state(session, name)


def set_county_layer(session: Session, name: str, settings: dict) -> PluginState:
    """A county's numbers for all its townships (validated against the defaults)."""
    tenant = require_tenant()
    if tenant.kind != "county":
        raise ValueError("county settings are set in a county's scope")
    row = _row(session, name)
    stored = (row.settings or {}) if row else {}
    settings = _incoming(name, settings, _open(name, stored)[0])
    merge(name, settings, {})
    if row is None:
        row = TenantPlugin(plugin=name, enabled=False)
        session.add(row)
    row.settings = _seal(name, settings, stored)
    row.settings_version = manifest_of(name).settings_version
    session.flush()
    return state(session, name)


def effective_settings(session: Session, name: str) -> dict[str, Any]:
    """The current tenant's settings for ``name``; disables it if they stopped validating."""
    cache = g.setdefault("zz_plugin_settings", {}) if has_request_context() else {}
    if name in cache:
        return cache[name]
    current = state(session, name)
    if current.enabled and current.problem and not current.settings:
        log.error("plugin %s disabled for %s: %s", name, require_tenant().slug, current.problem)
        disable(session, name, problem=current.problem[:500])
        raise SettingsInvalid({"settings": [current.problem]})
    cache[name] = current.settings
    return current.settings


def forget_enabled_cache() -> None:
    if has_request_context():
        g.pop("zz_enabled_plugins", None)
        g.pop("zz_plugin_settings", None)


def enabled_names(session: Session) -> frozenset[str]:
    installed = _plugins().installed
    names = session.scalars(select(TenantPlugin.plugin).where(TenantPlugin.enabled)).all()
    return frozenset(n for n in names if n in installed)


def hooks(session: Session):
    """Runtime hooks of the current tenant: only the plugins it enabled are called."""
    return _plugins().hooks_for(enabled_names(session))


def plugin_settings(name: str) -> dict[str, Any]:
    """Effective settings of plugin ``name`` for the tenant in context, secrets decrypted."""
    from zerenzhi.db.session import session

    return effective_settings(session(), name)


def township_settings(session: Session, name: str,
                      townships: Mapping[uuid.UUID, TenantRef]) -> dict[uuid.UUID, dict[str, Any]]:
    """Effective settings of plugin ``name`` for each of ``townships``, read inside a county
    read scope (a set-based roll-up metric): what ``plugin_settings`` answers in each
    township's own scope, from two statements — the townships' layers and the county's —
    instead of two per township. Read-only: a township whose stored settings no longer
    validate (or cannot be decrypted) is left out, where ``plugin_settings`` would raise
    and disable the module; its metric is then reported as failed."""
    county = require_tenant()
    if county_reads() != county.id:
        raise TenantContextError("township_settings reads in a county read scope")
    manifest_of(name)
    # the county's own row: the county read criteria admit only its townships' rows, so
    # this one statement names the county itself (row-level security checks it as ever)
    stored = session.scalar(
        select(TenantPlugin.settings)
        .where(TenantPlugin.tenant_id == county.id, TenantPlugin.plugin == name)
        .execution_options(**{UNSCOPED: True}))
    county_settings, unread_county = _open(name, dict(stored or {}))
    rows = dict(session.execute(select(TenantPlugin.tenant_id, TenantPlugin.settings).where(
        TenantPlugin.plugin == name, TenantPlugin.tenant_id.in_(list(townships)))).all())
    result: dict[uuid.UUID, dict[str, Any]] = {}
    merged: dict[str, dict[str, Any] | None] = {}  # most townships store the same layer
    for township_id in townships:
        layer = dict(rows.get(township_id) or {})
        key = json.dumps(layer, sort_keys=True, default=str)
        if key not in merged:
            own, unreadable = _open(name, layer)
            try:
                merged[key] = None if unreadable or unread_county else merge(
                    name, county_settings, own)[0]
            except SettingsInvalid:
                merged[key] = None
        if merged[key] is not None:
            result[township_id] = copy.deepcopy(merged[key])  # a metric may change its copy
    return result


def load_demo_data(session: Session) -> None:
    """Let each module the township enabled fill it with demo records (``demo_data``)."""
    tenant = require_tenant()
    for name in _demo_order(enabled_names(session)):
        call_one(name, "demo_data", session=session, tenant=tenant,
                 settings=state(session, name).settings)
        session.flush()


def _demo_order(names: frozenset[str]) -> list[str]:
    """Enabled modules, each after those named in its manifest's ``demo_after``."""
    done: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in done or name in trail or name not in names:
            return
        for before in manifest_of(name).demo_after:
            visit(before, (*trail, name))
        done.append(name)

    for name in sorted(names):
        visit(name, ())
    return done


def townships_enabling(session: Session, name: str, slug: str | None = None) -> list[TenantRef]:
    """Townships (or the one with ``slug``) that enabled ``name``: for a plugin's commands."""
    statement = select(Tenant).where(Tenant.kind == "township", Tenant.archived_at.is_(None))
    if slug:
        statement = statement.where(Tenant.slug == slug)
    found = []
    for tenant in session.scalars(statement.order_by(Tenant.slug)).all():
        with tenant_scope(tenant.ref()):
            if name in enabled_names(session):
                found.append(tenant.ref())
    return found
