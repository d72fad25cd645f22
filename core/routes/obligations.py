"""Rules, the obligations calendar and the dashboard of a township."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask.views import MethodView

from zerenzhi.auth.permissions import requires
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session, writing
from zerenzhi.labels import Label, render
from zerenzhi.obligations import service, versions
from zerenzhi.obligations.periods import parse, period_of
from zerenzhi.obligations.rules import CADENCES
from zerenzhi.obligations.status import STATUSES
from zerenzhi.routes.common import (
    EARLIEST_DAY,
    LATEST_DAY,
    Blueprint,
    FlatSchema,
    InputSchema,
    QuerySchema,
)
from zerenzhi.tenancy.clock import today
from zerenzhi.web.pipeline import not_found

blp = Blueprint("obligations", __name__, url_prefix="/api/v1/townships/<township>",
                description="Rules, obligations calendar and dashboard (責任清單)")


PERIOD_YEARS = Label(f"年份須在 {EARLIEST_DAY.year} 至 {LATEST_DAY.year - 1} 之間",
                     f"the year must be between {EARLIEST_DAY.year} and {LATEST_DAY.year - 1}")
UNKNOWN_RULE = Label("沒有這條規則", "no such rule")


class PeriodField(ma.fields.String):
    """``2026H1`` and friends, as a ``Period``; a year outside the dates the database holds
    is a 422 naming the field (9999H2 would end past year 9999)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            period = parse(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as error:
            raise ma.ValidationError(str(error)) from error
        if not (period.start >= EARLIEST_DAY and period.end < LATEST_DAY):
            raise ma.ValidationError(render(PERIOD_YEARS))
        return period


class RuleKeyField(ma.fields.String):
    """A rule key the app knows (core's or an installed plugin's), else a 422 naming it."""

    def _deserialize(self, value, attr, data, **kwargs):
        key = super()._deserialize(value, attr, data, **kwargs)
        if versions.registry().get(key) is None:
            raise ma.ValidationError(render(UNKNOWN_RULE))
        return key


class RuleSchema(ma.Schema):
    key = ma.fields.String()
    source = ma.fields.String(metadata={"description": "clause ID in docs/domain.md, e.g. W3"})
    title = ma.fields.String()
    cadence = ma.fields.String(validate=ma.validate.OneOf(CADENCES))
    applies_to = ma.fields.List(ma.fields.String())
    responsible = ma.fields.Raw()
    evidence = ma.fields.String()
    coverage = ma.fields.String(allow_none=True)
    enabled = ma.fields.Boolean()
    min_count = ma.fields.Integer(allow_none=True)
    deadline_hours = ma.fields.Integer(allow_none=True)
    version = ma.fields.String()
    sources = ma.fields.Dict(metadata={"description": "default or township, per number"})
    defaults_not_in_text = ma.fields.List(ma.fields.String(), metadata={
        "description": "numbers (min_count, deadline_hours, cadence) whose defaults are the "
                       "product's, not the clause's: set them from the township's own text"})


class RulePatch(InputSchema):
    enabled = ma.fields.Boolean()
    min_count = ma.fields.Integer(allow_none=True)
    deadline_hours = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String(validate=ma.validate.Length(max=500))


class PersonSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()


class TriggerSchema(ma.Schema):
    """The record whose event opened an event obligation (R3, P2…), and when it happened."""

    type = ma.fields.String()
    id = ma.fields.String()
    at = ma.fields.DateTime()


class EvidenceSchema(ma.Schema):
    """The ledger entry that fulfilled the obligation (its ``required``-th)."""

    type = ma.fields.String()
    id = ma.fields.String()


class WaivedSchema(ma.Schema):
    at = ma.fields.DateTime()
    by = ma.fields.UUID(allow_none=True)
    reason = ma.fields.String()


class ObligationSchema(FlatSchema):
    id = ma.fields.UUID()
    rule = ma.fields.String()
    title = ma.fields.String()
    source = ma.fields.String()
    rule_version = ma.fields.String()
    unit_id = ma.fields.UUID()
    unit_code = ma.fields.String(allow_none=True)
    unit_name = ma.fields.String(allow_none=True)
    period = ma.fields.String(allow_none=True)
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    due_at = ma.fields.DateTime(metadata={
        "description": "the deadline: a period's is the end of its last local day"})
    due_on = ma.fields.Date(metadata={
        "description": "the local day it is due, as the calendar lists it (2026H2: 12-31)"})
    required = ma.fields.Integer()
    done = ma.fields.Integer()
    compliance_rate = ma.fields.Float()
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    fulfilled_at = ma.fields.DateTime(allow_none=True)
    evidence = ma.fields.Nested(EvidenceSchema, allow_none=True)
    responsible_role = ma.fields.String()
    responsible_role_label = ma.fields.String()
    responsible = ma.fields.List(ma.fields.Nested(PersonSchema), metadata={
        "description": "who holds the post now"})
    responsible_at_due = ma.fields.List(ma.fields.Nested(PersonSchema), allow_none=True,
                                        metadata={"description": "who held the post at the "
                                                                 "due date; null before it"})
    first_responsible = ma.fields.List(ma.fields.Nested(PersonSchema), allow_none=True,
                                       metadata={"description": "the secretary, first "
                                                                "responsible (M1), for "
                                                                "committee-level work"})
    directly_responsible = ma.fields.List(ma.fields.Nested(PersonSchema), allow_none=True,
                                          metadata={"description": "the leader in charge, "
                                                                   "directly responsible "
                                                                   "(M2), for committee-"
                                                                   "level work"})
    portfolio_leader = ma.fields.List(ma.fields.Nested(PersonSchema), metadata={
        "description": "一崗雙責 (M3): the committee members whose division of work covers the "
                       "unit (a member post at it or its nearest ancestor); [] when none"})
    trigger = ma.fields.Nested(TriggerSchema, allow_none=True)
    waived = ma.fields.Nested(WaivedSchema, allow_none=True)


class RuleSummary(ma.Schema):
    rule = ma.fields.String()
    title = ma.fields.String()
    source = ma.fields.String()
    obligations = ma.fields.Integer()
    fulfilled = ma.fields.Integer()
    overdue = ma.fields.Integer()
    compliance_rate = ma.fields.Float()


class SummarySchema(FlatSchema):
    """Dumped by plan (``FlatSchema``): marshmallow's field calls for a half-year's items
    (about 80, each with its nested people) were 2.5 of the 15.6 ms a summary request took
    under cProfile (bench/throughput.py --routes summary --profile)."""

    period = ma.fields.String()
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    as_of = ma.fields.DateTime()
    obligations = ma.fields.Integer()
    fulfilled = ma.fields.Integer()
    compliance_rate = ma.fields.Float()
    rules = ma.fields.List(ma.fields.Nested(RuleSummary))
    items = ma.fields.List(ma.fields.Nested(ObligationSchema))
    overdue = ma.fields.List(ma.fields.Nested(ObligationSchema))


class SummaryQuery(QuerySchema):
    period = PeriodField(metadata={"description": "2026, 2026H1, 2026Q2 or 2026-04; "
                                                  "default: the current half-year"})
    due_soon_days = ma.fields.Integer(load_default=14, validate=ma.validate.Range(0, 366))


class WaiveIn(InputSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=4, max=500))


def _rule_out(eff: versions.EffectiveRule) -> dict:
    rule = eff.rule
    return {
        "key": rule.key, "source": rule.source, "title": render(rule.title),
        "cadence": rule.cadence, "applies_to": list(rule.applies_to),
        "responsible": rule.responsible, "evidence": render(rule.evidence),
        "coverage": render(rule.coverage) if rule.coverage else None,
        "enabled": eff.enabled, "min_count": eff.min_count,
        "deadline_hours": eff.deadline_hours, "version": eff.version, "sources": eff.sources,
        "defaults_not_in_text": list(rule.not_in_text),
    }


def _rule_by_key(rule_key: str) -> dict:
    for eff in versions.effective_rules(session(), today()):
        if eff.key == rule_key:
            return _rule_out(eff)
    not_found()


@blp.route("/rules")
class Rules(MethodView):
    @requires("obligations.read")
    @blp.response(200, RuleSchema(many=True))
    def get(self):
        """Effective rules of the enabled modules: source clause, numbers and their origin."""
        return [_rule_out(e) for e in versions.effective_rules(session(), today())]


@blp.route("/rules/<rule_key>")
class Rule(MethodView):
    @requires("obligations.read")
    @blp.response(200, RuleSchema)
    def get(self, rule_key):
        """One effective rule."""
        return _rule_by_key(rule_key)

    @requires("rules.write")
    @blp.arguments(RulePatch)
    @blp.response(200, RuleSchema)
    def patch(self, data, rule_key):
        """Change numbers or switch the rule off, from the current period on (audited)."""
        with writing() as db:
            rule = next((r for r in versions.enabled_rules(db) if r.key == rule_key), None)
            versions.change(db, rule or not_found(), data, today())
        return _rule_by_key(rule_key)


@blp.route("/obligations/summary")
class Summary(MethodView):
    @requires("obligations.read")
    @blp.arguments(SummaryQuery, location="query")
    @blp.response(200, SummarySchema)
    def get(self, query):
        """The dashboard: per rule and unit required/done/status, overall rate, overdue list."""
        period = query.get("period") or period_of("half_year", today())
        # A plain read (periods are materialised when the facts change and by the scheduler,
        # never by a read: obligations/facts.py). Its status statement is a WITH … SELECT,
        # which the teardown counts as a read (db/session.py, reads_only), so it ends in
        # COMMIT and psycopg keeps its prepared statements; a write here would roll back.
        return service.summary(session(), period, utcnow(), query["due_soon_days"])


@blp.route("/obligations/<uuid:obligation_id>/waiver")
class Waiver(MethodView):
    @requires("obligations.waive")
    @blp.arguments(WaiveIn)
    @blp.response(201, ObligationSchema)
    def post(self, data, obligation_id):
        """Waive an obligation with a reason (secretary or deputy; audited)."""
        with writing() as db:
            waived = service.waive(db, obligation_id, data["reason"], g.zz_identity.user_id)
            return service.one(db, (waived or not_found()).id, utcnow())
