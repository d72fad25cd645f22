"""The mail log of a township: what was sent to whom, retried, or given up on."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from zerenzhi import Blueprint, QuerySchema, SelectPage, listed, requires
from zerenzhi.plugins.email.models import STATUSES, EmailDelivery

blp = Blueprint("email", __name__, description="E-mail notifier: the mail log")


class MailQuery(QuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    event = ma.fields.String(validate=ma.validate.Length(max=80))


class MailSchema(ma.Schema):
    id = ma.fields.UUID()
    event = ma.fields.String()
    subject = ma.fields.String()
    body = ma.fields.String(metadata={"description": "the plain-text mail, as sent"})
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    attempts = ma.fields.Integer()
    next_attempt_at = ma.fields.DateTime()
    sent_to = ma.fields.List(ma.fields.String(), allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    delivered_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


@blp.route("/deliveries")
class Mails(MethodView):
    @requires("email.deliveries.read")
    @blp.arguments(MailQuery, location="query")
    @blp.response(200, MailSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Mails, newest first, optionally by status or event."""
        return listed(EmailDelivery, query, match=("status", "event"),
                      order_by=(EmailDelivery.created_at.desc(), EmailDelivery.id.desc()))
