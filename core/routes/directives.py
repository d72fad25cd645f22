"""Directives downward (W1 督辦) and reports upward (R1, R3, P2).

County side (``county_blp``): a county admin assigns a directive to all or some of the
county's townships and tracks each one's status; county staff read the inbox of reports
the townships sent upward and the admin acknowledges them. Township side (``blp``): the
township reads its directives, reports completion, and sees whether its reports were
acknowledged. The county reads only the township rows made for it (each township's copy
of a directive, the reports sent upward), through its county read scope.
"""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from core.auth.permissions import requires
from core.auth.scope import require_unit_write
from core.db.base import utcnow
from core.db.session import session
from core.directives import service
from core.directives.models import DirectiveTarget, InboxItem
from core.routes.common import InputSchema, QuerySchema, SelectPage
from core.tenancy.request import not_found

blp = Blueprint("directives", __name__, url_prefix="/api/v1/townships/<township>",
                description="Directives from the county (督辦, W1) and reports sent upward "
                            "(R1, R3, P2), as the township sees them")
county_blp = Blueprint("county_directives", __name__, url_prefix="/api/v1/counties/<county>",
                       description="A county's directives to its townships (督辦, W1) and "
                                   "its inbox of reports sent upward (R1, R3, P2)")


@county_blp.record
def _register_rule(state) -> None:
    """The app gets the core rule ``county.directive`` as it mounts these routes (the
    rule registry exists by then; see ``create_app``)."""
    service.ensure_rule(state.app.extensions["zerenzhi"].extras["rules"])


SLUG = ma.validate.Regexp(r"^[a-z][a-z0-9-]{1,62}$", error="a township's slug")
STATES = ("open", "completed", "overdue")


def _fail(error: service.DirectiveError):
    session().rollback()
    abort(error.status, message=error.message, errors={"json": {error.field: [error.message]}})


# --- schemas -------------------------------------------------------------------------------

class TownshipName(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()


class DirectiveIn(InputSchema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    content = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20000))
    deadline = ma.fields.AwareDateTime(required=True, metadata={
        "description": "with its offset, e.g. 2026-09-30T18:00:00+08:00; in the future"})
    townships = ma.fields.List(ma.fields.String(validate=SLUG), allow_none=True,
                               validate=ma.validate.Length(min=1, max=500), metadata={
                                   "description": "slugs of the county's townships; "
                                                  "omit (or null) for all of them"})


class TargetStatus(ma.Schema):
    township = ma.fields.Nested(TownshipName)
    status = ma.fields.String(validate=ma.validate.OneOf(STATES))
    completed_at = ma.fields.DateTime(allow_none=True)
    report = ma.fields.String(allow_none=True, metadata={
        "description": "the township's completion report, sent upward"})


class DirectiveCounts(ma.Schema):
    townships = ma.fields.Integer()
    completed = ma.fields.Integer()
    overdue = ma.fields.Integer()
    open = ma.fields.Integer()


class DirectiveOut(ma.Schema):
    id = ma.fields.UUID()
    title = ma.fields.String()
    content = ma.fields.String()
    deadline = ma.fields.DateTime()
    all_townships = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    counts = ma.fields.Nested(DirectiveCounts)
    townships = ma.fields.List(ma.fields.Nested(TargetStatus))


class TargetSchema(ma.Schema):
    """A township's copy of a directive."""

    id = ma.fields.UUID(attribute="directive_id", metadata={"description": "the directive"})
    title = ma.fields.String()
    content = ma.fields.String()
    deadline = ma.fields.DateTime()
    status = ma.fields.Method("_state", metadata={"description": "open, completed or overdue"})
    unit_id = ma.fields.UUID()
    obligation_id = ma.fields.UUID(allow_none=True)
    report = ma.fields.String(allow_none=True)
    completed_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()

    def _state(self, target: DirectiveTarget) -> str:
        return service.target_state(target, utcnow())


class TargetQuery(QuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATES))


class CompletionIn(InputSchema):
    report = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20000))


class InboxItemOut(ma.Schema):
    id = ma.fields.UUID()
    township = ma.fields.Nested(TownshipName)
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    source_type = ma.fields.String()
    source_id = ma.fields.String()
    sent_at = ma.fields.DateTime()
    acknowledged_at = ma.fields.DateTime(allow_none=True)
    acknowledgement_note = ma.fields.String(allow_none=True)


class OutboxItemOut(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    source_type = ma.fields.String()
    source_id = ma.fields.String()
    sent_at = ma.fields.DateTime()
    acknowledged = ma.fields.Method("_acknowledged")
    acknowledged_at = ma.fields.DateTime(allow_none=True)
    acknowledgement_note = ma.fields.String(allow_none=True)

    def _acknowledged(self, item: InboxItem) -> bool:
        return item.acknowledged_at is not None


class InboxQuery(QuerySchema):
    acknowledged = ma.fields.Boolean(metadata={"description": "only (un)acknowledged ones"})


class AcknowledgementIn(InputSchema):
    note = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000),
                            metadata={"description": "the county's receipt note (簽收意見)"})


# --- county --------------------------------------------------------------------------------

@county_blp.route("/directives")
class CountyDirectives(MethodView):
    @requires("rollups.read")
    @county_blp.response(200, DirectiveOut(many=True))
    @county_blp.paginate()
    def get(self, pagination_parameters):
        """The county's directives, newest first, each with every target township's
        status (open, completed, overdue), completion time and report."""
        items, total = service.county_directives(
            session(), g.zz_tenant.ref(), utcnow(), limit=pagination_parameters.page_size,
            offset=pagination_parameters.first_item)
        pagination_parameters.item_count = total
        return items

    @requires("directives.write")
    @county_blp.arguments(DirectiveIn)
    @county_blp.response(201, DirectiveOut)
    def post(self, data):
        """Assign a directive to all or some townships (W1): each gets the task and an
        obligation on its committee, due at the deadline, in its calendar."""
        sess = session()
        try:
            directive = service.create_directive(
                sess, title=data["title"], content=data["content"], deadline=data["deadline"],
                townships=data.get("townships"), issued_by=g.zz_identity.user_id)
        except service.DirectiveError as error:
            _fail(error)
        sess.commit()
        return service.county_directive(sess, g.zz_tenant.ref(), directive, utcnow())


@county_blp.route("/inbox")
class Inbox(MethodView):
    @requires("rollups.read")
    @county_blp.arguments(InboxQuery, location="query")
    @county_blp.response(200, InboxItemOut(many=True))
    @county_blp.paginate()
    def get(self, query, pagination_parameters):
        """Reports the county's townships sent upward (R1 half-year reports, R3 major
        situations, P2 incidents), newest first, with their acknowledgement."""
        items, total = service.county_inbox(
            session(), g.zz_tenant.ref(), acknowledged=query.get("acknowledged"),
            limit=pagination_parameters.page_size, offset=pagination_parameters.first_item)
        pagination_parameters.item_count = total
        return items


@county_blp.route("/inbox/<uuid:item_id>/acknowledgement")
class Acknowledgement(MethodView):
    @requires("inbox.acknowledge")
    @county_blp.arguments(AcknowledgementIn)
    @county_blp.response(201, InboxItemOut)
    def post(self, data, item_id):
        """Acknowledge a report (簽收); the township sees it in its outbox."""
        sess = session()
        try:
            item = service.acknowledge(sess, g.zz_tenant.ref(), item_id, data["note"],
                                       g.zz_identity.user_id)
        except service.DirectiveError as error:
            _fail(error)
        if item is None:
            not_found()
        sess.commit()
        return item


# --- township ------------------------------------------------------------------------------

@blp.route("/directives")
class Directives(MethodView):
    @requires("directives.read")
    @blp.arguments(TargetQuery, location="query")
    @blp.response(200, TargetSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Directives the county assigned to this township, by deadline."""
        statement = select(DirectiveTarget).order_by(DirectiveTarget.deadline,
                                                     DirectiveTarget.id)
        status, now = query.get("status"), utcnow()
        if status == "completed":
            statement = statement.where(DirectiveTarget.status == "completed")
        elif status == "open":
            statement = statement.where(DirectiveTarget.status == "open",
                                        DirectiveTarget.deadline > now)
        elif status == "overdue":
            statement = statement.where(DirectiveTarget.status == "open",
                                        DirectiveTarget.deadline <= now)
        return statement


def _target_or_404(directive_id) -> DirectiveTarget:
    target = service.township_directive(session(), directive_id)
    if target is None:
        not_found()
    return target


@blp.route("/directives/<uuid:directive_id>")
class OneDirective(MethodView):
    @requires("directives.read")
    @blp.etag
    @blp.response(200, TargetSchema)
    def get(self, directive_id):
        """One directive as assigned to this township."""
        return _target_or_404(directive_id)


@blp.route("/directives/<uuid:directive_id>/completion")
class Completion(MethodView):
    @requires("directives.complete")
    @blp.arguments(CompletionIn)
    @blp.response(201, TargetSchema)
    def post(self, data, directive_id):
        """Report the directive completed (辦結報告): its obligation turns fulfilled and
        the county sees the report."""
        sess = session()
        target = _target_or_404(directive_id)
        require_unit_write(target.unit_id)
        try:
            service.complete(sess, directive_id, data["report"], g.zz_identity.user_id)
        except service.DirectiveError as error:
            _fail(error)
        sess.commit()
        return target


@blp.route("/outbox")
class Outbox(MethodView):
    @requires("outbox.read")
    @blp.response(200, OutboxItemOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """Reports this township sent upward, newest first, with the county's receipt."""
        return select(InboxItem).order_by(InboxItem.sent_at.desc(), InboxItem.id.desc())
