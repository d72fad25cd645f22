"""Reference catalogues: the seed's clauses, the roles and the unit kinds, in the caller's
script (zh-Hans by default, zh-Hant as stored, or en)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from zerenzhi.auth.permissions import AUTHENTICATED, requires
from zerenzhi.auth.roles import ROLES
from zerenzhi.clauses import CLAUSES, SECTIONS
from zerenzhi.labels import Label, render
from zerenzhi.routes.common import Blueprint

blp = Blueprint("catalogue", __name__, url_prefix="/api/v1/catalogue",
                description="Clauses of the responsibility system, roles and unit kinds")

UNIT_KIND_LABELS = {
    "committee": Label("鎮黨委", "Township party committee"),
    "branch": Label("黨支部", "Party branch"),
    "village": Label("村(居)委會", "Village or residents' committee"),
    "station": Label("站所", "Township station or office"),
    "office": Label("意識形態領導小組辦公室", "Office of the ideology leading group"),
}


class ClauseSchema(ma.Schema):
    id = ma.fields.String(metadata={"description": "e.g. W3"})
    section = ma.fields.String()
    text = ma.fields.String(metadata={"description": "the clause (zh) or its summary (en)"})


class RoleSchema(ma.Schema):
    name = ma.fields.String()
    label = ma.fields.String()
    scope = ma.fields.String()
    read_only = ma.fields.Boolean()


class UnitKindSchema(ma.Schema):
    kind = ma.fields.String()
    label = ma.fields.String()


@blp.route("/clauses")
class Clauses(MethodView):
    @requires(AUTHENTICATED)
    @blp.response(200, ClauseSchema(many=True))
    def get(self):
        """Every clause of the seed text by ID (W1–W7, M1–M5, A1–A4, R1–R3, I1–I4, P1–P4,
        K1–K13)."""
        return [{"id": key, "section": render(SECTIONS[key[0]]), "text": render(label)}
                for key, label in CLAUSES.items()]


@blp.route("/roles")
class Roles(MethodView):
    @requires(AUTHENTICATED)
    @blp.response(200, RoleSchema(many=True))
    def get(self):
        """The roles (docs/domain.md, the organisation) and how far each reaches."""
        return [{"name": role.name, "label": render(role.label), "scope": role.scope,
                 "read_only": role.read_only} for role in ROLES.values()]


@blp.route("/unit-kinds")
class UnitKinds(MethodView):
    @requires(AUTHENTICATED)
    @blp.response(200, UnitKindSchema(many=True))
    def get(self):
        """The kinds of org unit."""
        return [{"kind": kind, "label": render(label)} for kind, label in UNIT_KIND_LABELS.items()]
