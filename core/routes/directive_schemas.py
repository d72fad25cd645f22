"""Schemas of the directive and inbox routes (``zerenzhi.routes.directives``)."""

from __future__ import annotations

import marshmallow as ma

from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session
from zerenzhi.directives.models import InboxItem
from zerenzhi.directives.rules import MAX_COUNT, views
from zerenzhi.orgunits.models import UNIT_KINDS
from zerenzhi.routes.common import (
    BoundedAwareDateTime,
    InputSchema,
    ListQuery,
    QuerySchema,
    not_in_future,
)
from zerenzhi.routes.obligations import PeriodField

SLUG = ma.validate.Regexp(r"^[a-z][a-z0-9-]{1,62}$", error="a township's slug")
STATES = ("open", "completed", "overdue", "cancelled")
KINDS = ("task", "rule")
UNIT_STATES = ("upcoming", "due_soon", "overdue", "fulfilled", "waived")


class TownshipName(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()


class DirectiveIn(InputSchema):
    kind = ma.fields.String(load_default="task", validate=ma.validate.OneOf(KINDS), metadata={
        "description": "task: a one-off task with a deadline (default); rule: an extra rule "
                       "for a period, min_count times at every unit of the kinds in applies_to"})
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    content = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20000))
    deadline = BoundedAwareDateTime(metadata={
        "description": "a task's: with its offset, e.g. 2026-09-30T18:00:00+08:00; in the "
                       "future. A rule is due at its period's end instead"})
    townships = ma.fields.List(ma.fields.String(validate=SLUG), allow_none=True,
                               validate=ma.validate.Length(min=1, max=500), metadata={
                                   "description": "slugs of the county's townships; "
                                                  "omit (or null) for all of them"})
    period = PeriodField(metadata={"description": "a rule's period: 2026, 2026H2, 2026Q3 or "
                                                  "2026-09; not already ended"})
    applies_to = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(UNIT_KINDS)),
        validate=ma.validate.Length(min=1, max=len(UNIT_KINDS)),
        metadata={"description": "a rule's unit kinds, e.g. [\"village\"]; every target "
                                 "township needs at least one active unit of them"})
    min_count = ma.fields.Integer(validate=ma.validate.Range(1, MAX_COUNT), metadata={
        "description": "a rule's: how many times each unit does it in the period"})

    @ma.validates_schema
    def _kind_fields(self, data, **_kwargs):
        errors: dict[str, list[str]] = {}
        if data.get("kind", "task") == "rule":
            for name in ("period", "applies_to", "min_count"):
                if name not in data:
                    errors[name] = ["required for a rule"]
            if "deadline" in data:
                errors["deadline"] = ["a rule is due at its period's end; omit it"]
        else:
            if "deadline" not in data:
                errors["deadline"] = ["required for a task"]
            for name in ("period", "applies_to", "min_count"):
                if name in data:
                    errors[name] = ["only for kind rule"]
        if errors:
            raise ma.ValidationError(errors)


class TargetStatus(ma.Schema):
    township = ma.fields.Nested(TownshipName)
    status = ma.fields.String(validate=ma.validate.OneOf(STATES))
    completed_at = ma.fields.DateTime(allow_none=True)
    report = ma.fields.String(allow_none=True, metadata={
        "description": "the township's completion report of a task, sent upward"})
    units_required = ma.fields.Integer(metadata={
        "description": "a rule's: the township's units it applies to; a task's: 1 (its "
                       "committee)"})
    units_fulfilled = ma.fields.Integer(metadata={
        "description": "a rule's: units that did it min_count times; a task's: 1 once "
                       "completed"})
    units_waived = ma.fields.Integer(metadata={
        "description": "a rule's: units whose obligation the township waived, with a reason"})
    chased_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "when the county last chased the township while overdue (催辦)"})
    chase_count = ma.fields.Integer(metadata={"description": "how often it was chased"})


class DirectiveCounts(ma.Schema):
    townships = ma.fields.Integer()
    completed = ma.fields.Integer()
    overdue = ma.fields.Integer()
    open = ma.fields.Integer()
    cancelled = ma.fields.Integer()


class RuleTermsOut(ma.Schema):
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    period = ma.fields.String(allow_none=True)
    period_start = ma.fields.Date(allow_none=True)
    period_end = ma.fields.Date(allow_none=True)
    applies_to = ma.fields.List(ma.fields.String(), allow_none=True)
    min_count = ma.fields.Integer(allow_none=True)


class DirectiveOut(RuleTermsOut):
    id = ma.fields.UUID()
    title = ma.fields.String()
    content = ma.fields.String()
    deadline = ma.fields.DateTime(metadata={"description": "a rule's is its period's end"})
    all_townships = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    cancelled_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "withdrawn by the county: unfinished copies are cancelled"})
    archived_at = ma.fields.DateTime(allow_none=True)
    counts = ma.fields.Nested(DirectiveCounts)
    townships = ma.fields.List(ma.fields.Nested(TargetStatus))


class UnitProgress(ma.Schema):
    unit_id = ma.fields.UUID()
    unit_code = ma.fields.String()
    unit_name = ma.fields.String()
    unit_kind = ma.fields.String()
    obligation_id = ma.fields.UUID()
    required = ma.fields.Integer()
    done = ma.fields.Integer()
    status = ma.fields.String(validate=ma.validate.OneOf(UNIT_STATES))


class ProgressOut(ma.Schema):
    units = ma.fields.Integer()
    fulfilled = ma.fields.Integer()
    waived = ma.fields.Integer()


class TargetSchema(RuleTermsOut):
    """A township's copy of a directive (a view from ``zerenzhi.directives.rules.views``)."""

    id = ma.fields.UUID(attribute="directive_id", metadata={"description": "the directive"})
    title = ma.fields.String()
    content = ma.fields.String()
    deadline = ma.fields.DateTime()
    status = ma.fields.String(validate=ma.validate.OneOf(STATES), metadata={
        "description": "a rule is completed when every unit's obligation is met or waived"})
    unit_id = ma.fields.UUID()
    obligation_id = ma.fields.UUID(allow_none=True)
    report = ma.fields.String(allow_none=True)
    completed_at = ma.fields.DateTime(allow_none=True)
    chased_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "when the county last chased this township about it (催辦)"})
    chase_count = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    progress = ma.fields.Nested(ProgressOut, metadata={"description": "a rule's units"})
    units = ma.fields.List(ma.fields.Nested(UnitProgress), metadata={
        "description": "a rule's: each unit's obligation, done of required"})

    @ma.pre_dump(pass_collection=True)
    def _views(self, data, many, **_kwargs):
        """Copies with their status (and a rule's units' progress), a page in one go."""
        targets = list(data) if many else [data]
        result = views(session(), targets, utcnow())
        return result if many else result[0]


class TargetQuery(QuerySchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATES))
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))


class CompletionIn(InputSchema):
    report = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20000))


class ReportIn(InputSchema):
    unit_id = ma.fields.UUID(required=True, metadata={
        "description": "the unit that did it; within your posts' units"})
    occurred_at = BoundedAwareDateTime(required=True, validate=not_in_future, metadata={
        "description": "when, with its offset; within the directive's period, not ahead"})
    note = ma.fields.String(validate=ma.validate.Length(min=1, max=2000), metadata={
        "description": "what was done; stays in the township (the county sees counts)"})


class ReportOut(ma.Schema):
    id = ma.fields.UUID()
    directive_id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    obligation_id = ma.fields.UUID()
    occurred_at = ma.fields.DateTime()
    note = ma.fields.String(allow_none=True)
    recorded_by = ma.fields.UUID(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    archived_at = ma.fields.DateTime(allow_none=True)


class ReportQuery(ListQuery):
    unit_id = ma.fields.UUID()


class InboxItemOut(ma.Schema):
    id = ma.fields.UUID()
    township = ma.fields.Nested(TownshipName)
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    source_type = ma.fields.String()
    source_id = ma.fields.String()
    sent_at = ma.fields.DateTime()
    due_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "the deadline of the obligation the report fulfils (R1's half-year, "
                       "R3's report); null when it fulfils none"})
    late = ma.fields.Boolean(metadata={"description": "sent after due_at"})
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
    kind = ma.fields.String(validate=ma.validate.Length(min=1, max=60), metadata={
        "description": "one kind only: half_year_report (R1), major_situation_report (R3), "
                       "incident_report (P2)"})


class AcknowledgementIn(InputSchema):
    note = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000),
                            metadata={"description": "the county's receipt note (簽收意見)"})
