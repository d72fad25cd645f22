"""Counties and their townships: for county users and platform operators."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask.views import MethodView
from sqlalchemy import select

from zerenzhi.auth.permissions import requires
from zerenzhi.db.session import writing
from zerenzhi.provisioning import service
from zerenzhi.routes.common import Blueprint, InputSchema, SelectPage
from zerenzhi.tenancy.models import Tenant

blp = Blueprint("counties", __name__, url_prefix="/api/v1/counties",
                description="Counties and the townships they group")

SLUG = ma.validate.Regexp(r"^[a-z][a-z0-9-]{1,62}$", error="lower-case letters, digits and '-'")


class TenantSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    kind = ma.fields.String(dump_only=True)
    slug = ma.fields.String(required=True, validate=SLUG)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    name_en = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    timezone = ma.fields.String(validate=ma.validate.Length(min=1, max=64))
    created_at = ma.fields.DateTime(dump_only=True)


class TenantIn(InputSchema, TenantSchema):
    pass


@blp.route("")
class Counties(MethodView):
    @requires("counties.read")
    @blp.response(200, TenantSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """Counties: all for a platform operator, their own for county staff."""
        statement = select(Tenant).where(Tenant.kind == "county", Tenant.archived_at.is_(None))
        identity = g.zz_identity
        if not identity.platform_admin:
            statement = statement.where(Tenant.id == identity.home_tenant_id)
        return statement.order_by(Tenant.slug)

    @requires("counties.manage")
    @blp.arguments(TenantIn)
    @blp.response(201, TenantSchema)
    def post(self, data):
        """Create a county (platform operators)."""
        with writing() as db:
            return service.create_county(db, **data)


@blp.route("/<county>/townships")
class Townships(MethodView):
    @requires("counties.read")
    @blp.response(200, TenantSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """The county's townships."""
        return (
            select(Tenant)
            .where(Tenant.county_id == g.zz_tenant.id, Tenant.archived_at.is_(None))
            .order_by(Tenant.slug)
        )

    @requires("townships.manage")
    @blp.arguments(TenantIn)
    @blp.response(201, TenantSchema)
    def post(self, data):
        """Provision a township with its root unit, the committee (鎮黨委)."""
        with writing() as db:
            return service.create_township(db, county=g.zz_tenant, **data)
