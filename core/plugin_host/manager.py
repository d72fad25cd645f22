"""Builds the app's plugin manager: discovery, contract checks, problems reported.

A plugin that fails to import or breaks the contract is logged and left out; the
service starts without it. One manager per app, never a module global.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import pluggy

from zerenzhi.plugin_host import hookspecs
from zerenzhi.plugin_host.manifest import Manifest

ENTRY_POINT_GROUP = "zerenzhi.plugins"
log = logging.getLogger("zerenzhi.plugins")


@dataclass
class InstalledPlugin:
    name: str
    plugin: Any
    manifest: Manifest
    source: str  # "built-in", a distribution "name==version", or "explicit"


@dataclass
class PluginSet:
    pm: pluggy.PluginManager
    installed: dict[str, InstalledPlugin] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def manifest(self, name: str) -> Manifest:
        return self.installed[name].manifest

    def ordered(self) -> list[InstalledPlugin]:
        """Plugins in ``requires`` order (a plugin after those it requires)."""
        done: dict[str, InstalledPlugin] = {}

        def visit(name: str, trail: tuple[str, ...]) -> None:
            if name in done or name not in self.installed:
                return
            if name in trail:
                raise ValueError(f"plugins require each other in a cycle: {' -> '.join(trail)}")
            for needed in self.installed[name].manifest.requires:
                visit(needed, (*trail, name))
            done[name] = self.installed[name]

        for name in sorted(self.installed):
            visit(name, ())
        return list(done.values())

    def hooks_for(self, enabled: frozenset[str]):
        """A hook relay that reaches only ``enabled`` plugins (runtime hooks)."""
        excluded = [p.plugin for n, p in self.installed.items() if n not in enabled]
        return _SubsetRelay(self.pm, excluded)


class _SubsetRelay:
    def __init__(self, pm: pluggy.PluginManager, excluded: list[Any]) -> None:
        self._pm, self._excluded = pm, excluded

    def __getattr__(self, hook_name: str):
        return self._pm.subset_hook_caller(hook_name, remove_plugins=self._excluded)


def _check(name: str, plugin: Any) -> Manifest:
    manifest = getattr(plugin, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise TypeError("has no zerenzhi.Manifest as its 'manifest' attribute")
    if manifest.name != name:
        raise ValueError(f"manifest name {manifest.name!r} differs from its entry point {name!r}")
    return manifest


def _source(entry_point) -> str:
    dist = getattr(entry_point, "dist", None)
    if dist is None:
        return "unknown"
    if dist.metadata["Name"] == "zerenzhi":
        return "built-in"
    return f"{dist.metadata['Name']}=={dist.version}"


def build_plugins(plugins: list[Any] | None, load_entrypoints: bool) -> PluginSet:
    pm = pluggy.PluginManager("zerenzhi")
    pm.add_hookspecs(hookspecs)
    result = PluginSet(pm)
    candidates: list[tuple[str, Any, str]] = []
    if load_entrypoints:
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            try:
                candidates.append((entry_point.name, entry_point.load(), _source(entry_point)))
            except Exception as exc:  # a broken third-party plugin must not stop the service
                result.problems.append(f"plugin {entry_point.name!r} failed to import: {exc!r}")
    for plugin in plugins or ():
        name = getattr(getattr(plugin, "manifest", None), "name", type(plugin).__name__)
        candidates.append((name, plugin, "explicit"))
    for name, plugin, source in candidates:
        try:
            manifest = _check(name, plugin)
            if name in result.installed:
                raise ValueError("a plugin of that name is already installed")
            pm.register(plugin, name=name)
            pm.check_pending()
        except Exception as exc:
            if pm.is_registered(plugin):
                pm.unregister(plugin)
            result.problems.append(f"plugin {name!r} ({source}) left out: {exc}")
            continue
        result.installed[name] = InstalledPlugin(name, plugin, manifest, source)
    for problem in result.problems:
        log.error(problem)
    return result
