"""The plugin's API. Core mounts ``blp`` at ``/api/v1/townships/<township>/hello`` and
answers 404 naming the module for townships that have not enabled it, before any view
runs; the township is already in context here, so no query mentions ``tenant_id``."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask.views import MethodView
from zerenzhi import (
    Blueprint,
    InputSchema,
    ListQuery,
    SelectPage,
    listed,
    not_in_future,
    plugin_settings,
    require_unit_write,
    requires,
    writing,
)

from zerenzhi_hello import services
from zerenzhi_hello.models import Greeting

blp = Blueprint("hello", __name__, description="Greetings (問候): a toy module for integrators")

# Generous but finite, so a nonsense date is a 422 and never an overflow in time-zone maths.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


# Schema names carry the plugin's name: the OpenAPI document has one namespace for all.
class HelloGreeting(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    unit_id = ma.fields.UUID()
    greeted_at = ma.fields.DateTime()
    message = ma.fields.String()
    archived_at = ma.fields.DateTime(allow_none=True)


class HelloGreetingRecorded(HelloGreeting):
    target = ma.fields.Method("current_target", metadata={
        "type": "integer", "description": "this township's greetings_per_quarter setting"})

    def current_target(self, _greeting: Greeting) -> int:
        return plugin_settings("hello")["greetings_per_quarter"]


class HelloGreetingIn(InputSchema):
    unit_id = ma.fields.UUID(required=True)
    message = ma.fields.String(load_default="你好", validate=ma.validate.Length(min=1, max=200))
    greeted_at = ma.fields.AwareDateTime(
        load_default=None, validate=(ma.validate.Range(min=EARLIEST, max=LATEST), not_in_future),
        metadata={"description": "when it happened (default: now); decides the quarter"})


class HelloGreetingQuery(ListQuery):  # brings include_archived
    unit_id = ma.fields.UUID()


@blp.route("/greetings")
class Greetings(MethodView):
    @requires("hello.greeting.read")
    @blp.arguments(HelloGreetingQuery, location="query")
    @blp.response(200, HelloGreeting(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The township's greetings, newest first."""
        return listed(Greeting, query, match=("unit_id",),
                      order_by=(Greeting.greeted_at.desc(), Greeting.id))

    @requires("hello.greeting.write")
    @blp.arguments(HelloGreetingIn)
    @blp.response(201, HelloGreetingRecorded)
    def post(self, data):
        """Record a greeting to a unit; a branch's greeting counts toward its quarter (M5)."""
        require_unit_write(data["unit_id"])  # 403 outside the caller's posts
        with writing() as db:  # commits; a DomainError rolls back and answers 422
            return services.record_greeting(db, **data)
