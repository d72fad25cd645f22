"""Mounts each installed plugin at boot: permissions and blueprints.

Every installed plugin's routes exist from boot (Flask cannot add them later); a
request for a township that has not enabled the plugin answers 404 naming it.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_smorest import abort

from zerenzhi.db.session import session
from zerenzhi.labels import Label, render
from zerenzhi.plugin_host import service


def enabled_plugins() -> frozenset[str]:
    """Names of the plugins the tenant in context has enabled (cached per request)."""
    cached = g.get("zz_enabled_plugins")
    if cached is None:
        cached = g.zz_enabled_plugins = service.enabled_names(session())
    return cached


def _only_for(plugin_set, name: str):
    """A caller of one plugin's implementation of a hook."""
    others = [p.plugin for n, p in plugin_set.installed.items() if n != name]
    return lambda hook_name: plugin_set.pm.subset_hook_caller(hook_name, remove_plugins=others)


def wire_plugins(app: Flask, kernel) -> None:
    """Mount every installed plugin and fill the kernel's ``rules``, ``metrics``,
    ``blueprint_owners`` and ``plugin_guard`` (``kernel`` is ``zerenzhi.app.Kernel``, a
    layer above this one: used, not imported)."""
    plugin_set = kernel.plugins
    owners: dict[str, tuple[str, Label]] = {}
    for installed in plugin_set.ordered():
        name = installed.name
        caller = _only_for(plugin_set, name)
        for permissions in caller("register_permissions")():
            kernel.permissions.extend(permissions or (), source=name)
        for rules in caller("register_rules")():
            for rule in rules or ():
                kernel.rules.add(rule, plugin=name)
        for metrics in caller("register_rollup_metrics")():
            for metric in metrics or ():
                if not metric.key.startswith(f"{name}."):
                    raise ValueError(f"metric {metric.key} of {name} must start with '{name}.'")
                kernel.metrics[metric.key] = (name, metric)
        for blueprints in caller("register_blueprints")():
            for blueprint in blueprints or ():
                kernel.api.register_blueprint(
                    blueprint, url_prefix=f"/api/v1/townships/<township>/{name}"
                )
                owners[blueprint.name] = (name, installed.manifest.title)
    kernel.blueprint_owners = owners

    def require_enabled() -> None:
        owner = owners.get(request.blueprint or "")
        if owner is None:
            return
        name, title = owner
        message = f"module '{name}' ({render(title)}) is not enabled for this township"
        if g.get("zz_tenant") is None or name not in enabled_plugins():
            abort(404, message=message)
        try:
            service.effective_settings(session(), name)
        except service.SettingsInvalid:
            session().commit()  # keep the plugin disabled, with its logged problem
            abort(404, message=f"{message}: its stored settings no longer validate")

    kernel.plugin_guard = require_enabled
