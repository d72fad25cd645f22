"""The app factory: the one place that wires core and plugins together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, send_from_directory
from flask_smorest import Api

from zerenzhi import config as config_module
from zerenzhi import idempotency
from zerenzhi.auth.catalogue import CORE_PERMISSIONS
from zerenzhi.auth.permissions import PUBLIC, PermissionRegistry
from zerenzhi.db.session import Database
from zerenzhi.errors import install_error_handlers
from zerenzhi.obligations.rules import RuleRegistry
from zerenzhi.obligations.tally import install_tally
from zerenzhi.plugin_host.manager import PluginSet, build_plugins
from zerenzhi.routes import CORE_BLUEPRINTS
from zerenzhi.web import pipeline

DESCRIPTION = "Township responsibility system (責任制) API; clause IDs refer to DOMAIN.md."


class ZerenzhiApi(Api):
    """flask-smorest's Api whose error bodies always carry a ``message``."""

    def handle_http_exception(self, error):
        payload, code, headers = super().handle_http_exception(error)
        payload.setdefault("message", error.description or error.name)
        return payload, code, headers


@dataclass
class Kernel:
    """Everything the app wired, reachable as ``app.extensions["zerenzhi"]``."""

    db: Database
    plugins: PluginSet
    permissions: PermissionRegistry
    api: Api
    extras: dict[str, Any] = field(default_factory=dict)


def _swagger_assets(app: Flask) -> None:
    import swagger_ui_bundle

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


def create_app(
    config: dict[str, Any] | None = None,
    *,
    plugins: list[Any] | None = None,
    load_entrypoints: bool = True,
) -> Flask:
    app = Flask("zerenzhi", instance_path=str(Path.cwd() / "instance"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config_module.load(Path(app.instance_path), config))
    app.json.ensure_ascii = False  # Chinese labels readable as sent
    app.json.sort_keys = False

    plugin_set = build_plugins(plugins, load_entrypoints)
    permissions = PermissionRegistry()
    permissions.extend(CORE_PERMISSIONS, source="core")
    api = ZerenzhiApi(app, spec_kwargs={"info": {"description": DESCRIPTION}})
    _spec_security(api)
    kernel = Kernel(Database(app.config["DATABASE_URL"]), plugin_set, permissions, api)
    install_tally(kernel.db.Session)
    kernel.extras["rules"] = RuleRegistry()
    kernel.extras["metrics"] = {}
    app.extensions["zerenzhi"] = kernel

    for blueprint in CORE_BLUEPRINTS:
        api.register_blueprint(blueprint)
    from zerenzhi.plugin_host.wiring import wire_plugins

    wire_plugins(app, kernel)
    _swagger_assets(app)
    pipeline.install(app)
    app.before_request(kernel.extras["plugin_guard"])
    idempotency.install(app)
    install_error_handlers(app)

    from zerenzhi.cli import register_cli

    register_cli(app)
    plugin_set.pm.hook.startup(app=app)
    return app
