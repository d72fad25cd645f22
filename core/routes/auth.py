"""Tokens and the caller's own identity."""

from __future__ import annotations

import marshmallow as ma
from flask import g, request
from flask.views import MethodView
from flask_smorest import abort

from zerenzhi.auth import service, users
from zerenzhi.auth.permissions import AUTHENTICATED, PUBLIC, requires
from zerenzhi.auth.roles import ROLES
from zerenzhi.db.session import session, writing
from zerenzhi.labels import render
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.routes.common import Blueprint, InputSchema
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Log in and out; who am I")


class Credentials(InputSchema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=150))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024),
                                load_only=True)


class PasswordChange(InputSchema):
    current_password = ma.fields.String(required=True, load_only=True,
                                        validate=ma.validate.Length(min=1, max=1024))
    new_password = ma.fields.String(required=True, load_only=True,
                                    validate=ma.validate.Length(min=10, max=1024))
    keep_current_token = ma.fields.Boolean(load_default=False, metadata={
        "description": "keep the token of this request; every other one is revoked"})


class TokenOut(ma.Schema):
    access_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True)
    expires_at = ma.fields.DateTime(required=True)


class TenantOut(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String()
    slug = ma.fields.String()
    name = ma.fields.String()


class PositionBrief(ma.Schema):
    position_id = ma.fields.UUID()
    role = ma.fields.String()
    role_label = ma.fields.String()
    unit_id = ma.fields.UUID(allow_none=True)
    unit_code = ma.fields.String(allow_none=True)


class MeOut(ma.Schema):
    id = ma.fields.UUID()
    username = ma.fields.String()
    display_name = ma.fields.String()
    platform_admin = ma.fields.Boolean()
    tenant = ma.fields.Nested(TenantOut, allow_none=True)
    positions = ma.fields.List(ma.fields.Nested(PositionBrief))
    permissions = ma.fields.List(ma.fields.String())


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @requires(PUBLIC)
    @blp.arguments(Credentials)
    @blp.response(201, TokenOut)
    @blp.alt_response(401, description="Wrong username or password")
    @blp.alt_response(429, description="Too many failed attempts; retry later")
    def post(self, credentials):
        """Log in: exchange a username and password for a bearer token."""
        try:  # not a DomainError: a 429 carries Retry-After
            with writing() as db:
                issued = service.login(db, credentials["username"], credentials["password"],
                                       request.remote_addr)
        except service.Throttled as throttled:
            abort(429, message="too many failed logins; try again later",
                  headers={"Retry-After": str(throttled.retry_after)})
        if issued is None:
            abort(401, message="wrong username or password")
        return {"access_token": issued.access_token, "token_type": "Bearer",
                "expires_at": issued.expires_at}


@blp.route("/auth/tokens/current")
class CurrentToken(MethodView):
    @requires(AUTHENTICATED)
    @blp.response(204)
    def delete(self):
        """Log out: revoke the token this request was made with."""
        with writing() as db:
            service.revoke(db, g.zz_token_id)


@blp.route("/me/password")
class Password(MethodView):
    @requires(AUTHENTICATED)
    @blp.arguments(PasswordChange)
    @blp.response(204)
    @blp.alt_response(429, description="Too many wrong passwords; retry later")
    def post(self, data):
        """Change your own password: every token and the feed token of the old one are
        revoked, this request's too unless keep_current_token."""
        keep = g.zz_token_id if data["keep_current_token"] else None
        try:  # not a DomainError: a 429 carries Retry-After
            with writing() as db:
                users.change_own_password(db, g.zz_identity.user_id, data["current_password"],
                                          data["new_password"], remote_addr=request.remote_addr,
                                          keep_token=keep)
        except service.Throttled as throttled:
            abort(429, message="too many failed logins; try again later",
                  headers={"Retry-After": str(throttled.retry_after)})


@blp.route("/me")
class Me(MethodView):
    @requires(AUTHENTICATED)
    @blp.response(200, MeOut)
    def get(self):
        """The caller: account, home township or county, positions, permissions."""
        identity = g.zz_identity
        home = identity.home_tenant_id and session().get(Tenant, identity.home_tenant_id)
        return {"id": identity.user_id, "username": identity.username,
                "display_name": identity.display_name, "platform_admin": identity.platform_admin,
                "tenant": home, "positions": _posts(identity, home),
                "permissions": sorted(identity.permissions)}


def _posts(identity, home: Tenant | None) -> list[dict]:
    """The caller's posts in their home tenant, with each unit's code (read in its scope)."""
    if home is None:
        return []
    sess, posts = session(), []
    with tenant_scope(home.ref()):
        for post in identity.posts:
            unit = sess.get(OrgUnit, (home.id, post.unit_id)) if post.unit_id else None
            posts.append({"position_id": post.position_id, "role": post.role,
                          "role_label": render(ROLES[post.role].label),
                          "unit_id": post.unit_id, "unit_code": unit.code if unit else None})
    return posts
