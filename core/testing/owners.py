"""What a conformance check looks at: core, or one installed plugin, resolved in an app.

A check takes the plugin object (what its entry point names), its name, or ``"core"``;
the plugin must be installed in the app under test, through its entry point or the
``zz_plugins`` fixture, or there is nothing to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from zerenzhi.testing.routes import CORE

REFERENCE_TABLES = frozenset({"tenant", "user_account", "auth_token", "login_attempt",
                              "worker_heartbeat"})
"""Core's global tables (Citus reference tables, docs/scaling.md); every other table is a
tenant table, distributed by ``tenant_id``. A plugin owns no global table."""


@dataclass(frozen=True)
class Owner:
    """Core (``installed`` is None) or an installed plugin (``zerenzhi`` plugin host entry)."""

    name: str
    installed: Any = None

    @property
    def is_core(self) -> bool:
        return self.installed is None

    @property
    def prefix(self) -> str:
        return "" if self.is_core else self.installed.manifest.table_prefix

    @property
    def package(self) -> str:
        """The package holding the plugin's class: its models are those defined below it."""
        module = type(self.installed.plugin).__module__
        return module.rpartition(".")[0] or module

    def owns_table(self, name: str) -> bool:
        from zerenzhi.migrate import core_tables

        if self.is_core:
            return name in core_tables()
        return name.startswith(self.prefix)

    def model_tables(self) -> list[Table]:
        """The owner's tables in the shared metadata: core's, or those the plugin's models
        define (whatever their name) and any other carrying its prefix."""
        from zerenzhi.db.base import Base

        names = {name for name in Base.metadata.tables if self.owns_table(name)}
        if not self.is_core:
            names |= {mapper.local_table.name for mapper in Base.registry.mappers
                      if _below(mapper.class_.__module__, self.package)}
        return [table for table in Base.metadata.sorted_tables if table.name in names]

    def permissions(self, app) -> list[Any]:
        """The ``Permission`` objects the owner registers (core: all no plugin declares)."""
        kernel = app.extensions["zerenzhi"]
        if not self.is_core:
            return declared_permissions(kernel.plugins, self.name)
        by_plugins = {p.name for name in kernel.plugins.installed
                      for p in declared_permissions(kernel.plugins, name)}
        return [p for p in kernel.permissions if p.name not in by_plugins]

    def chain(self, app) -> list[str]:
        """The plugins this one stands on (``requires``, transitively), then itself."""
        if self.is_core:
            return []
        installed = app.extensions["zerenzhi"].plugins.installed
        order: list[str] = []

        def visit(name: str) -> None:
            if name in order or name not in installed:
                return
            for needed in installed[name].manifest.requires:
                visit(needed)
            order.append(name)

        visit(self.name)
        return order

    def lineages(self, app) -> list[str]:
        """The alembic lineages this owner's schema stands on, in upgrade order: core, the
        plugins it requires, then its own (each that ships migrations)."""
        installed = app.extensions["zerenzhi"].plugins.installed
        return [CORE, *(name for name in self.chain(app) if installed[name].manifest.migrations)]


def _below(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def declared_permissions(plugin_set, name: str) -> list[Any]:
    """What plugin ``name``'s ``register_permissions`` hook returns."""
    others = [p.plugin for n, p in plugin_set.installed.items() if n != name]
    caller = plugin_set.pm.subset_hook_caller("register_permissions", remove_plugins=others)
    return [permission for result in caller() for permission in result or ()]


def owner_of(plugin: Any, app) -> Owner:
    """Resolve ``plugin`` (a plugin object, its name, or ``"core"``) in ``app``."""
    name = plugin if isinstance(plugin, str) else getattr(
        getattr(plugin, "manifest", None), "name", None)
    if name == CORE:
        return Owner(CORE)
    plugins = app.extensions["zerenzhi"].plugins
    installed = plugins.installed.get(name)
    if installed is None:
        problems = "".join(f"\n  {problem}" for problem in plugins.problems)
        raise AssertionError(
            f"plugin {name or plugin!r} is not installed in this app (installed: "
            f"{sorted(plugins.installed)}): install its distribution, or return it from the "
            f"zz_plugins fixture{problems}")
    return Owner(name, installed)
