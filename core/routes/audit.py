"""The township's audit log, newest first."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from zerenzhi.audit.models import AuditEntry
from zerenzhi.auth.permissions import requires
from zerenzhi.db.listing import listed
from zerenzhi.routes.common import Blueprint, BoundedAwareDateTime, QuerySchema, SelectPage

blp = Blueprint("audit", __name__, url_prefix="/api/v1/townships/<township>/audit",
                description="Hash-chained audit log of every write")


class AuditSchema(ma.Schema):
    seq = ma.fields.Integer()
    id = ma.fields.UUID()
    at = ma.fields.DateTime()
    actor_id = ma.fields.UUID(allow_none=True)
    actor = ma.fields.String()
    action = ma.fields.String()
    target_type = ma.fields.String()
    target_id = ma.fields.String(allow_none=True)
    before = ma.fields.Dict(allow_none=True)
    after = ma.fields.Dict(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    hash = ma.fields.String()


class AuditQuery(QuerySchema):
    action = ma.fields.String(validate=ma.validate.Length(max=100))
    target_type = ma.fields.String(validate=ma.validate.Length(max=100))
    target_id = ma.fields.String(validate=ma.validate.Length(max=100))
    actor = ma.fields.String(validate=ma.validate.Length(max=200))
    since = BoundedAwareDateTime(data_key="from")
    until = BoundedAwareDateTime(data_key="to")


@blp.route("")
class AuditLog(MethodView):
    @requires("audit.read")
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Audit entries, newest first, filtered by action, target, actor or time."""
        during = [AuditEntry.at >= query["since"]] if "since" in query else []
        during += [AuditEntry.at < query["until"]] if "until" in query else []
        return listed(AuditEntry, query, order_by=(AuditEntry.seq.desc(),),
                      match=("action", "target_type", "target_id", "actor")).where(*during)
