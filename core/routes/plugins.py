"""Modules per township (enable, configure, disable) and county defaults for them."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from zerenzhi.auth.permissions import requires
from zerenzhi.db.session import session, writing
from zerenzhi.labels import render
from zerenzhi.plugin_host import service
from zerenzhi.routes.common import Blueprint, InputSchema
from zerenzhi.secrets import secret_fields
from zerenzhi.web.pipeline import not_found

blp = Blueprint("plugins", __name__, url_prefix="/api/v1/townships/<township>/plugins",
                description="Modules (plugins) a township enables and configures")
county_blp = Blueprint("county_plugins", __name__,
                       url_prefix="/api/v1/counties/<county>/plugins",
                       description="County-wide default settings of modules")

SOURCES = ("default", "county", "township")
WRITE_ONLY = ('A field the module marks secret is write-only: it reads back as {"set": true} '
              'or {"set": false}, never its value.')


class PluginStateSchema(ma.Schema):
    name = ma.fields.String()
    title = ma.fields.String()
    version = ma.fields.String()
    source = ma.fields.String(metadata={"description": "built-in, a distribution, or explicit"})
    enabled = ma.fields.Boolean()
    settings = ma.fields.Dict(metadata={"description": f"effective settings. {WRITE_ONLY}"})
    settings_source = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(validate=ma.validate.OneOf(SOURCES)),
        metadata={"description": "where each value comes from: default, county or township"})
    township_settings = ma.fields.Dict(
        metadata={"description": f"the township's own layer. {WRITE_ONLY}"})
    county_settings = ma.fields.Dict(
        metadata={"description": f"the county's layer. {WRITE_ONLY}"})
    problem = ma.fields.String(allow_none=True)


class SettingsIn(InputSchema):
    settings = ma.fields.Dict(load_default=dict, metadata={"description": (
        "this layer's values; others inherit. A secret field takes its value, or "
        '{"set": true} to keep the stored one, or {"set": false} to clear it.')})


def _masked(schema_class: type[ma.Schema], values: dict) -> dict:
    """Settings fields marked ``metadata={"secret": True}`` are never shown back."""
    hidden = secret_fields(schema_class)
    return {key: {"set": value not in (None, "")} if key in hidden else value
            for key, value in values.items()}


def _out(current: service.PluginState) -> dict:
    installed = service.installed(current.name)
    schema = installed.manifest.settings
    current.settings = _masked(schema, current.settings)
    current.township_layer = _masked(schema, current.township_layer)
    current.county_layer = _masked(schema, current.county_layer)
    return {
        "name": current.name, "title": render(installed.manifest.title),
        "version": installed.manifest.version, "source": installed.source,
        "enabled": current.enabled, "settings": current.settings,
        "settings_source": current.sources, "township_settings": current.township_layer,
        "county_settings": current.county_layer, "problem": current.problem,
    }


def _installed_or_404(name: str) -> str:
    """A module installed here, as ``get_or_404`` is a record of this township."""
    if service.installed(name) is None:
        not_found()
    return name


def _all() -> list[dict]:
    sess = session()
    return [_out(service.state(sess, name)) for name in sorted(service._plugins().installed)]


@blp.route("")
class TownshipPlugins(MethodView):
    @requires("plugins.read")
    @blp.response(200, PluginStateSchema(many=True))
    def get(self):
        """Installed modules, enabled here or not, with effective settings and their sources."""
        return _all()


@blp.route("/<plugin>")
class TownshipPlugin(MethodView):
    @requires("plugins.read")
    @blp.response(200, PluginStateSchema)
    def get(self, plugin):
        """One module's state here."""
        return _out(service.state(session(), _installed_or_404(plugin)))

    @requires("plugins.manage")
    @blp.arguments(SettingsIn)
    @blp.response(200, PluginStateSchema)
    def put(self, data, plugin):
        """Enable the module here with this township's settings (validated; 422 if not)."""
        with writing() as db:
            return _out(service.enable(db, _installed_or_404(plugin), data["settings"]))

    @requires("plugins.manage")
    @blp.response(200, PluginStateSchema)
    def delete(self, plugin):
        """Disable the module here. Its records are kept."""
        with writing() as db:
            return _out(service.disable(db, _installed_or_404(plugin)))


@county_blp.route("")
class CountyPlugins(MethodView):
    @requires("counties.read")
    @county_blp.response(200, PluginStateSchema(many=True))
    def get(self):
        """County-wide settings of each installed module."""
        return _all()


@county_blp.route("/<plugin>")
class CountyPlugin(MethodView):
    @requires("county_plugins.manage")
    @county_blp.arguments(SettingsIn)
    @county_blp.response(200, PluginStateSchema)
    def put(self, data, plugin):
        """Set the county's values for all its townships (a township's own still win)."""
        with writing() as db:
            return _out(service.set_county_layer(db, _installed_or_404(plugin),
                                                 data["settings"]))
