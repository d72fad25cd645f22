"""Counties and their townships: for county users and platform operators."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask import g
from flask.views import MethodView
from sqlalchemy import select

from zerenzhi.auth.permissions import requires
from zerenzhi.db.session import session, writing
from zerenzhi.labels import SUPPORTED
from zerenzhi.provisioning import service
from zerenzhi.routes.common import Blueprint, InputSchema, SelectPage
from zerenzhi.tenancy.models import Tenant
from zerenzhi.web.pipeline import not_found

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
    language = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(SUPPORTED), metadata={
        "description": "the default language of its pages (zh-Hant, zh-Hans, en); a township "
                       "without one takes its county's, and a user's own choice comes first"})
    created_at = ma.fields.DateTime(dump_only=True)


class TenantIn(InputSchema, TenantSchema):
    pass


def _go_live(day: dt.date) -> None:
    """From 2000 to a year ahead: a township plans its go-live, it does not schedule a
    decade (and far dates would overflow the drivers' range, issue 17 defect 7)."""
    if day < dt.date(2000, 1, 1):
        raise ma.ValidationError("on or after 2000-01-01")
    if day > dt.date.today() + dt.timedelta(days=366):
        raise ma.ValidationError("at most a year from today")



class TownshipSchema(TenantSchema):
    live_from = ma.fields.Date(validate=_go_live, metadata={"description": (
        "Go-live date: nothing is owed for a period that ends before it; the period it "
        "falls in is owed in full. Default: today (the township's local date).")})


class TownshipIn(InputSchema, TownshipSchema):
    pass


class TownshipPatch(InputSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    name_en = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    language = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(SUPPORTED))
    live_from = ma.fields.Date(validate=_go_live, metadata={"description": (
        "Moving it earlier owes the periods from the new date; later, the periods ending "
        "before it are no longer owed (archived, never deleted).")})


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
    @blp.response(200, TownshipSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """The county's townships."""
        return (
            select(Tenant)
            .where(Tenant.county_id == g.zz_tenant.id, Tenant.archived_at.is_(None))
            .order_by(Tenant.slug)
        )

    @requires("townships.manage")
    @blp.arguments(TownshipIn)
    @blp.response(201, TownshipSchema)
    def post(self, data):
        """Provision a township with its root unit, the committee (鎮黨委), live from
        ``live_from``."""
        with writing() as db:
            return service.create_township(db, county=g.zz_tenant, **data)


@blp.route("/<county>/townships/<township_slug>")
class Township(MethodView):
    @requires("counties.read")
    @blp.etag
    @blp.response(200, TownshipSchema)
    def get(self, township_slug):
        """One of the county's townships."""
        return service.township_of(session(), g.zz_tenant, township_slug) or not_found()

    @requires("townships.manage")
    @blp.etag
    @blp.arguments(TownshipPatch)
    @blp.response(200, TownshipSchema)
    def patch(self, data, township_slug):
        """Rename a township or move its go-live date (send If-Match with its ETag); its
        calendar follows in the same transaction."""
        township = service.township_of(session(), g.zz_tenant, township_slug) or not_found()
        blp.check_etag(township, TownshipSchema)
        with writing() as db:
            return service.change_township(db, township, data)
