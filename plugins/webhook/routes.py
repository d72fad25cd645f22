"""The delivery log of a township: what was sent where, retried, or given up on."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from zerenzhi import (
    Blueprint,
    InputSchema,
    QuerySchema,
    SelectPage,
    plugin_settings,
    require_tenant,
    requires,
    writing,
)
from zerenzhi.plugins.webhook import services
from zerenzhi.plugins.webhook.models import STATUSES

blp = Blueprint("webhook", __name__, description="Webhook notifier: the delivery log")


class DeliveryQuery(QuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    event = ma.fields.String(validate=ma.validate.Length(max=80))


class DeliverySchema(ma.Schema):
    id = ma.fields.UUID()
    event = ma.fields.String()
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    attempts = ma.fields.Integer()
    next_attempt_at = ma.fields.DateTime()
    last_status_code = ma.fields.Integer(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    delivered_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    payload = ma.fields.Dict(metadata={"description": "the event as recorded: the body sent "
                                                      "in format json; a robot's message "
                                                      "is rendered from it"})


@blp.route("/deliveries")
class Deliveries(MethodView):
    @requires("webhook.deliveries.read")
    @blp.arguments(DeliveryQuery, location="query")
    @blp.response(200, DeliverySchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Deliveries, newest first, optionally by status or event."""
        return services.delivery_log(query)


class TestIn(InputSchema):
    """No body fields: the message is fixed."""


@blp.route("/test")
class TestMessage(MethodView):
    @requires("webhook.test.send")
    @blp.arguments(TestIn)
    @blp.response(201, DeliverySchema)
    def post(self, _data):
        """Queue a test message to the configured target (whatever events are subscribed);
        the worker sends it within a minute and its answer appears in the delivery log."""
        with writing() as db:
            return services.queue_test(db, require_tenant(), plugin_settings("webhook"))
