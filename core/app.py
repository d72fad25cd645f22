"""The app factory: the one place that wires core and plugins together.

It sits above every layer it wires (routes, the request pipeline, the operator commands,
the plugin host, the session listeners of db, audit and obligations) and below the
``zerenzhi`` command line (``zerenzhi.cli``) that builds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from flask import Flask, send_from_directory
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from zerenzhi import commands, console, idempotency, observability
from zerenzhi import config as config_module
from zerenzhi.attachments import service as attachments
from zerenzhi.audit.recorder import install_audit
from zerenzhi.auth.catalogue import CORE_PERMISSIONS
from zerenzhi.auth.permissions import PUBLIC, PermissionRegistry
from zerenzhi.db.scoping import install_scoping
from zerenzhi.db.session import Database, install_rls
from zerenzhi.errors import install_error_handlers
from zerenzhi.labels import Label
from zerenzhi.obligations.facts import install_calendar
from zerenzhi.obligations.rules import RuleRegistry
from zerenzhi.obligations.tally import install_tally
from zerenzhi.plugin_host.manager import PluginSet, build_plugins
from zerenzhi.plugin_host.wiring import wire_plugins
from zerenzhi.rollups.metrics import RollupMetric
from zerenzhi.routes import CORE_BLUEPRINTS
from zerenzhi.web import pipeline, ratelimit

DESCRIPTION = "Township responsibility system (責任制) API; clause IDs refer to docs/domain.md."


class ZerenzhiApi(Api):
    """flask-smorest's Api whose error bodies always carry a ``message``."""

    def handle_http_exception(self, error):
        payload, code, headers = super().handle_http_exception(error)
        payload.setdefault("message", error.description or error.name)
        return payload, code, headers


@dataclass
class Kernel:
    """Everything the app wired, reachable as ``app.extensions["zerenzhi"]``.

    Lower layers read it through ``current_app`` (they may not import this module); the
    plugin fields are filled once by ``wire_plugins`` and only read afterwards.
    """

    db: Database
    plugins: PluginSet
    permissions: PermissionRegistry
    api: Api
    rules: RuleRegistry = field(default_factory=RuleRegistry)
    # metric key -> (plugin, metric): what a county roll-up may ask the plugins for
    metrics: dict[str, tuple[str, RollupMetric]] = field(default_factory=dict)
    # blueprint name -> (plugin, its title): whose module a mounted route belongs to
    blueprint_owners: dict[str, tuple[str, Label]] = field(default_factory=dict)
    # before_request: 404 for a plugin route of a module the township has not enabled
    plugin_guard: Callable[[], None] | None = None
    # reference type -> the permission that reads it: the records that take attachments
    attachable: dict[str, str] = field(default_factory=dict)
    # the console's page blueprints (core's and the plugins'): cookie sessions, CSRF, HTML
    page_blueprints: frozenset[str] = frozenset()
    # plugin name -> its console pages (zerenzhi.Pages), from the register_pages hook
    pages: dict[str, Any] = field(default_factory=dict)


def _swagger_assets(app: Flask) -> None:
    folder = swagger_ui_bundle.swagger_ui_path

    def swagger_asset(filename: str):
        return send_from_directory(folder, filename)

    swagger_asset._zz_permission = PUBLIC
    app.add_url_rule("/api/docs/assets/<path:filename>", view_func=swagger_asset)


def _spec_security(api: Api) -> None:
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/tokens"}
    )
    api.spec.options["security"] = [{"bearer": []}]


def install_listeners(db: Database) -> None:
    """Put the session and engine listeners on the app's database, in the order they must
    run: scoping stamps tenant ids before the audit chain and the tally read them; RLS
    follows the tenant context on PostgreSQL. Here, not at import, so importing a module
    changes no session and each app's database gets them once."""
    install_scoping(db.Session)
    install_audit(db.Session)
    install_rls(db.engine)
    install_tally(db.Session)
    install_calendar(db.Session)  # after the tally: materialising flushes obligations


def create_app(
    config: dict[str, Any] | None = None,
    *,
    plugins: list[Any] | None = None,
    load_entrypoints: bool = True,
) -> Flask:
    # instance/ is made by what first writes there (`db upgrade`, the generated secret key),
    # so a command that fails leaves nothing behind
    app = Flask("zerenzhi", instance_path=str(Path.cwd() / "instance"))
    app.config.update(config_module.load(Path(app.instance_path), config))
    if app.config["TRUSTED_PROXIES"]:  # remote_addr: the client the last proxies name
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])
    app.json.ensure_ascii = False  # Chinese labels readable as sent
    app.json.sort_keys = False

    plugin_set = build_plugins(plugins, load_entrypoints)
    permissions = PermissionRegistry()
    permissions.extend(CORE_PERMISSIONS, source="core")
    permissions.extend(attachments.PERMISSIONS, source="core")
    api = ZerenzhiApi(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    _spec_security(api)
    kernel = Kernel(Database(app.config["DATABASE_URL"]), plugin_set, permissions, api)
    install_listeners(kernel.db)
    app.extensions["zerenzhi"] = kernel

    for blueprint in CORE_BLUEPRINTS:
        api.register_blueprint(blueprint)
    wire_plugins(app, kernel)
    kernel.attachable = attachments.collect_attachable(plugin_set.installed,
                                                       permissions.__contains__)
    _swagger_assets(app)
    observability.install(app)  # first: its clock starts before the pipeline runs
    ratelimit.install(app)  # before the pipeline: a request over the limit costs no query
    console.install(app, kernel)  # before the pipeline: a page's CSRF check comes first
    pipeline.install(app)
    app.before_request(console.choose_language)  # after the pipeline: the township's default
    app.before_request(kernel.plugin_guard)  # after the pipeline: it needs the tenant
    idempotency.install(app)
    install_error_handlers(app)
    commands.register(app.cli)
    plugin_set.pm.hook.register_commands(cli=app.cli)
    plugin_set.pm.hook.startup(app=app)
    return app
