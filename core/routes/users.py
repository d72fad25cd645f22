"""A township's users and their positions (role at unit): the tenant_admin manages the
accounts; who posts whom to which role is the grant table's (decision 0012)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from zerenzhi.auth import users as service
from zerenzhi.auth.models import Member, Position
from zerenzhi.auth.permissions import requires
from zerenzhi.auth.roles import ROLES
from zerenzhi.auth.scope import current_identity
from zerenzhi.db.listing import listed
from zerenzhi.db.session import session, writing
from zerenzhi.labels import render
from zerenzhi.routes.common import (
    Blueprint,
    InputSchema,
    ListQuery,
    QuerySchema,
    SelectPage,
    get_or_404,
)
from zerenzhi.web.pipeline import not_found

blp = Blueprint("users", __name__, url_prefix="/api/v1/townships/<township>/users",
                description="Users of a township and the posts they hold")

USERNAME = ma.validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{2,149}$",
                              error="3–150 letters, digits, '.', '_', '@' or '-'")


class PositionSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(list(ROLES)))
    role_label = ma.fields.Method("_role_label", dump_only=True)
    unit_id = ma.fields.UUID(allow_none=True)
    started_at = ma.fields.DateTime(dump_only=True)
    ended_at = ma.fields.DateTime(dump_only=True, allow_none=True)

    def _role_label(self, position) -> str:
        return render(ROLES[position.role].label)


class PositionIn(InputSchema):
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(list(ROLES)))
    unit_id = ma.fields.UUID(allow_none=True)


class UserSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    username = ma.fields.String(dump_only=True)
    display_name = ma.fields.String()
    archived_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    positions = ma.fields.List(ma.fields.Nested(PositionSchema), dump_only=True,
                               metadata={"description": "the posts held now"})

    @ma.pre_dump(pass_collection=True)
    def _views(self, data, many, **_kwargs):
        """Usernames and current posts of a whole page in two statements, not two a user."""
        views = service.user_views(session(), list(data) if many else [data])
        return views if many else views[0]


class UserIn(InputSchema):
    username = ma.fields.String(required=True, validate=USERNAME)
    display_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    password = ma.fields.String(required=True, load_only=True,
                                validate=ma.validate.Length(min=10, max=1024))
    positions = ma.fields.List(ma.fields.Nested(PositionIn), load_default=list)


class UserPatch(InputSchema):
    display_name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    password = ma.fields.String(load_only=True, validate=ma.validate.Length(min=10, max=1024))
    disabled = ma.fields.Boolean()


class PositionQuery(QuerySchema):
    include_ended = ma.fields.Boolean(load_default=False)


@blp.route("")
class Users(MethodView):
    @requires("users.read")
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The township's users with their current positions."""
        return listed(Member, query, order_by=(Member.display_name, Member.id))

    @requires("users.write")
    @blp.arguments(UserIn)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user of this township with their positions."""
        with writing() as db:
            return service.create_user(db, **data, by=current_identity())


@blp.route("/<uuid:user_id>")
class User(MethodView):
    @requires("users.read")
    @blp.etag
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user."""
        return get_or_404(Member, user_id)

    @requires("users.write")
    @blp.etag
    @blp.arguments(UserPatch)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Rename, reset the password of, disable or re-enable a user (If-Match)."""
        member = get_or_404(Member, user_id)
        blp.check_etag(member, UserSchema)
        with writing() as db:
            return service.update_user(db, member, data, by=current_identity())


@blp.route("/<uuid:user_id>/positions")
class Positions(MethodView):
    @requires("users.read")
    @blp.arguments(PositionQuery, location="query")
    @blp.response(200, PositionSchema(many=True))
    def get(self, query, user_id):
        """A user's positions; ended ones too with include_ended (the history of posts)."""
        member = get_or_404(Member, user_id)
        return service.member_positions(session(), member.id,
                                        active_only=not query["include_ended"])

    @requires("users.grant")
    @blp.arguments(PositionIn)
    @blp.response(201, PositionSchema)
    def post(self, data, user_id):
        """Post a user to a role at a unit: the leaders and viewers need users.grant_leadership."""
        member = get_or_404(Member, user_id)
        with writing() as db:
            return service.add_position(db, member, data["role"], data.get("unit_id"),
                                        by=current_identity())


@blp.route("/<uuid:user_id>/positions/<uuid:position_id>")
class PositionItem(MethodView):
    @requires("users.write")
    @blp.response(200, PositionSchema)
    def delete(self, user_id, position_id):
        """End a position (kept in the history of who held the post)."""
        position = get_or_404(Position, position_id)
        if position.member_id != user_id:  # another member's post is as unknown as none
            not_found()
        with writing() as db:
            return service.end_position(db, position)
