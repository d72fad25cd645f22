"""A throwaway plugin for the plugin-system tests: one route, one permission, settings,
and a record of every hook call it receives."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from zerenzhi import InputSchema, Label, Manifest, Permission, hookimpl, requires

blp = Blueprint("throwaway", __name__, description="A throwaway module for tests")


class ThrowawaySettings(InputSchema):
    min_count = ma.fields.Integer(load_default=12, validate=ma.validate.Range(min=0, max=365))
    label = ma.fields.String(load_default="默認")


class Greeting(ma.Schema):
    township = ma.fields.String()
    min_count = ma.fields.Integer()


@blp.route("/greeting")
class GreetingView(MethodView):
    @requires("throwaway.greeting.read")
    @blp.response(200, Greeting)
    def get(self):
        """Say hello with the township's effective settings."""
        from zerenzhi import current_tenant, plugin_settings

        return {"township": current_tenant().slug,
                "min_count": plugin_settings("throwaway")["min_count"]}


class ThrowawayPlugin:
    manifest = Manifest(name="throwaway", version="0.1", title=Label("測試模塊", "Throwaway"),
                        settings=ThrowawaySettings)

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    @hookimpl
    def register_blueprints(self):
        return [blp]

    @hookimpl
    def register_permissions(self):
        return [Permission("throwaway.greeting.read", Label("問候", "Greet"),
                           ("secretary", "branch_secretary"))]

    @hookimpl
    def on_enable(self, tenant, settings):
        self.calls.append(("on_enable", tenant.slug))

    @hookimpl
    def on_disable(self, tenant):
        self.calls.append(("on_disable", tenant.slug))

    @hookimpl
    def on_settings_changed(self, tenant, old, new):
        self.calls.append(("on_settings_changed", tenant.slug))

    @hookimpl
    def on_event(self, tenant, event):
        self.calls.append((f"on_event:{event.name}", tenant.slug))


class BrokenPlugin:
    """Breaks the contract: implements a hook that does not exist."""

    manifest = Manifest(name="broken", version="0.1", title=Label("壞", "Broken"))

    @hookimpl
    def register_routes(self):
        return []


class NoManifestPlugin:
    pass
