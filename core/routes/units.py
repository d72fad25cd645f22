"""The township's org tree: committee, branches, villages, stations, office."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from sqlalchemy import select

from zerenzhi.auth.permissions import requires
from zerenzhi.db.listing import listed
from zerenzhi.db.session import writing
from zerenzhi.orgunits import service
from zerenzhi.orgunits.models import UNIT_KINDS, OrgUnit
from zerenzhi.routes.common import (
    Blueprint,
    FlatSchema,
    InputSchema,
    ListQuery,
    RowPage,
    get_or_404,
)

blp = Blueprint("units", __name__, url_prefix="/api/v1/townships/<township>/units",
                description="The org tree (組織架構) of a township")

CODE = ma.validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$",
                          error="letters, digits, '.', '_' and '-'")


class UnitSchema(FlatSchema):
    id = ma.fields.UUID(dump_only=True)
    code = ma.fields.String(required=True, validate=CODE)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(UNIT_KINDS))
    parent_id = ma.fields.UUID(allow_none=True)
    archived_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)


# What a list shows, as columns: rows are cheaper to load than ORM objects.
LIST_COLUMNS = tuple(getattr(OrgUnit, name) for name in UnitSchema().dump_fields)


# The list with no filter, built once (it names no tenant: scoping adds the township's
# criteria per execution, db/scoping.py).
_LIVE_UNITS = listed(OrgUnit, {}, order_by=(OrgUnit.code,), statement=select(*LIST_COLUMNS))


class UnitIn(InputSchema, UnitSchema):
    pass


class UnitPatch(InputSchema):
    code = ma.fields.String(validate=CODE)
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    parent_id = ma.fields.UUID(allow_none=True)


class UnitQuery(ListQuery):
    kind = ma.fields.String(validate=ma.validate.OneOf(UNIT_KINDS))


@blp.route("")
class Units(MethodView):
    @requires("units.read")
    @blp.arguments(UnitQuery, location="query")
    @blp.response(200, UnitSchema(many=True))
    @blp.paginate(RowPage)
    def get(self, query):
        """List the township's units."""
        if "kind" not in query and not query.get("include_archived"):
            return _LIVE_UNITS  # the common request: one statement object (page_of)
        return listed(OrgUnit, query, match=("kind",), order_by=(OrgUnit.code,),
                      statement=select(*LIST_COLUMNS))

    @requires("units.write")
    @blp.arguments(UnitIn)
    @blp.response(201, UnitSchema)
    def post(self, data):
        """Add a unit under a parent (every unit but the committee has one)."""
        with writing() as db:
            return service.create_unit(db, **data)


@blp.route("/<uuid:unit_id>")
class Unit(MethodView):
    @requires("units.read")
    @blp.etag
    @blp.response(200, UnitSchema)
    def get(self, unit_id):
        """One unit."""
        return get_or_404(OrgUnit, unit_id)

    @requires("units.write")
    @blp.etag
    @blp.arguments(UnitPatch)
    @blp.response(200, UnitSchema)
    def patch(self, data, unit_id):
        """Change a unit's code, name or parent (send If-Match with its ETag)."""
        unit = get_or_404(OrgUnit, unit_id)
        blp.check_etag(unit, UnitSchema)
        with writing() as db:
            return service.update_unit(db, unit, data)

    @requires("units.write")
    @blp.etag
    @blp.response(204)
    def delete(self, unit_id):
        """Archive a unit (kept, never deleted; send If-Match with its ETag)."""
        unit = get_or_404(OrgUnit, unit_id)
        blp.check_etag(unit, UnitSchema)
        with writing() as db:
            service.archive_unit(db, unit)
