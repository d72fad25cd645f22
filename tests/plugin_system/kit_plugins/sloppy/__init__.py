"""A plugin that breaks the permission rules and whose demo writes where it must not: a
route with no permission, a route on core's permission, a grant to a county role, a route
that answers for another township's record, and a demo that renames a unit (core's table)
and records nothing of its own."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from zerenzhi import Blueprint, Label, Manifest, OrgUnit, Permission, hookimpl, requires

blp = Blueprint("sloppy", __name__, description="Breaks the rules on purpose")


@blp.route("/open")
class Open(MethodView):
    def get(self):
        """Guarded by nothing: anyone with a token of the township reads it."""
        return {"open": True}


@blp.route("/units")
class Units(MethodView):
    @requires("units.read")
    def get(self):
        """Guarded by core's permission, not one of its own."""
        return {"units": True}


@blp.route("/things/<uuid:thing_id>")
class Thing(MethodView):
    @requires("sloppy.thing.read")
    def get(self, thing_id):
        """Answers for any id, another township's too: it never looks the record up."""
        return {"id": str(thing_id)}


class SloppyPlugin:
    manifest = Manifest(name="sloppy", version="0.1", title=Label("馬虎", "Sloppy"))

    @hookimpl
    def register_blueprints(self):
        return [blp]

    @hookimpl
    def register_permissions(self):
        return [Permission("sloppy.thing.read", Label("看", "Read"),
                           ("secretary", "county_viewer"))]

    @hookimpl
    def demo_data(self, session, tenant, settings):
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "branch-1")).one()
        unit.name = "演示支部"
        session.flush()
