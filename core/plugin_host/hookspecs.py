"""The plugin contract: every hook a zerenzhi plugin may implement.

Hooks are called by keyword; arguments may be added in later versions, never renamed
or removed, so an implementation may accept any subset of them (pluggy passes only
the ones it names). Boot hooks run once per app for every installed plugin; tenant
hooks run only for the plugin concerned; runtime hooks run only for the plugins the
tenant has enabled.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("zerenzhi")
hookimpl = pluggy.HookimplMarker("zerenzhi")


# --- boot: once per app, for every installed plugin, results collected -------------------


@hookspec
def register_blueprints() -> list[Any]:
    """Return the flask-smorest ``Blueprint`` objects of this plugin.

    Called once in ``create_app``. Scope: app. Each blueprint is mounted under
    ``/api/v1/townships/<township>/<plugin name>``; its ``url_prefix`` is ignored. Every
    view must be guarded with ``zerenzhi.requires(permission)``. Requests for a township that
    has not enabled the plugin answer 404 before the view runs.
    """


@hookspec
def register_permissions() -> list[Any]:
    """Return ``zerenzhi.Permission`` objects: the named rights this plugin's routes need.

    Called once in ``create_app``. Scope: app. Names are ``"<plugin>.<thing>.<verb>"``;
    each permission lists the roles that hold it by default (DOMAIN.md roles).
    """


@hookspec
def register_rules() -> list[Any]:
    """Return the obligation rules (``zerenzhi.RuleDef``) this plugin contributes.

    Called once in ``create_app``. Scope: app. Each rule names its source clause
    (e.g. ``"W3"``); keys are ``"<plugin>.<name>"`` and unique across plugins.
    Townships and counties override numbers through settings, not here.
    """


@hookspec
def register_rollup_metrics() -> list[Any]:
    """Return ``zerenzhi.RollupMetric`` objects the county roll-up may ask this plugin for.

    Called once in ``create_app``. Scope: app. A metric's ``compute(session, period)``
    runs inside one township's scope, only for townships that enabled the plugin.
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add click commands to the ``zerenzhi`` command group ``cli``.

    Called once in ``create_app``. Scope: app. Return value ignored.
    """


@hookspec
def startup(app: Any) -> None:
    """Run once at the end of ``create_app`` with the finished Flask ``app``.

    Scope: app. For warm-up and checks; do not wire routes here. Return value ignored.
    """


# --- tenant lifecycle: only the plugin concerned ------------------------------------------


@hookspec
def on_enable(session: Any, tenant: Any, settings: dict) -> None:
    """The tenant (``zerenzhi.TenantRef``) has just enabled this plugin with ``settings``.

    Called inside the tenant's scope and the enabling transaction (``session``);
    raise to refuse. Return value ignored.
    """


@hookspec
def on_disable(session: Any, tenant: Any) -> None:
    """The tenant has just disabled this plugin. Its data is kept; never delete it.

    Called inside the tenant's scope and transaction. Return value ignored.
    """


@hookspec
def on_settings_changed(session: Any, tenant: Any, old: dict, new: dict) -> None:
    """The tenant's effective settings for this plugin changed from ``old`` to ``new``.

    Called inside the tenant's scope and transaction. Return value ignored.
    """


# --- runtime: only the plugins the tenant enabled -----------------------------------------


@hookspec
def on_event(session: Any, tenant: Any, event: Any) -> None:
    """A domain event (``zerenzhi.Event``) happened in ``tenant``.

    Called inside the tenant's scope and the transaction that caused it, for each plugin
    the tenant enabled. Events are named ``"<source>.<what>"``: ``obligation.due_soon``,
    ``obligation.overdue``, ``record.created``… Return value ignored.
    """


@hookspec(firstresult=True)
def describe_reference(session: Any, tenant: Any, ref_type: str, ref_id: str) -> dict | None:
    """Describe this plugin's record ``ref_type``/``ref_id`` for a link from elsewhere.

    Called inside the tenant's scope when another module (or core) resolves a reference
    of type ``"<this plugin>.<thing>"``. Return ``{"type", "id", "title", "status"}`` (no
    record bodies), or None when the type is not yours or no such record exists here.
    First non-None result wins.
    """


@hookspec
def demo_data(session: Any, tenant: Any, settings: dict) -> None:
    """Fill a demo township with realistic records of this plugin.

    Called by ``zerenzhi tenants apply`` for townships whose file says ``demo = true``,
    inside the tenant's scope, once (skipped when the plugin already has data there).
    """
