"""The core rule ``county.directive`` and directives of the second kind: an extra rule for a
period (W1 督辦), without Flask.

A rule directive ("every village holds two extra safety-study sessions in 2026H2") gives
each target township, in its own scope, one obligation of ``county.directive`` per active
unit of the named kinds: period = the directive's, due at the period's end in the
township's time zone, ``min_count`` = the directive's, and a slot unique per directive
(``directive:<id>``), so it is an event obligation that only its own linked ledger entries
count for. The units' calendars, summaries, reminders and the county's roll-ups carry it.

Units record their progress as ``directive_report`` rows; each one syncs a ledger entry
linked to that unit's obligation. A township's copy is completed when every unit's
obligation is met (or waived); the county reads the counts off the obligations (their
stored ``counted``), never the reports' notes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from zerenzhi.db.base import utcnow
from zerenzhi.directives.models import Directive, DirectiveReport, DirectiveTarget
from zerenzhi.domain import DomainError
from zerenzhi.labels import Label
from zerenzhi.obligations.ledger import Evidence, sync, withdraw
from zerenzhi.obligations.models import Obligation
from zerenzhi.obligations.periods import Period, parse
from zerenzhi.obligations.rules import RuleDef
from zerenzhi.obligations.status import moments, status_case
from zerenzhi.obligations.versions import _versions, effective, registry
from zerenzhi.orgunits.models import UNIT_KINDS, OrgUnit
from zerenzhi.tenancy.context import require_tenant

RULE_PLUGIN = "county"
RULE_KEY = "county.directive"
TRIGGER = "directive"
REPORT_SOURCE = "directive_report"
DEFAULT_DEADLINE_HOURS = 14 * 24  # the rule needs one; every directive sets its own
MAX_COUNT = 100

DIRECTIVE_RULE = RuleDef(
    key=RULE_KEY, source="W1",
    title=Label("上級督辦事項", "Directive from the county (W1)"),
    cadence="event", applies_to=UNIT_KINDS,
    # a task lands on the committee; a rule on every unit of its kinds, each unit's head
    responsible={"committee": "secretary", "branch": "branch_secretary",
                 "village": "unit_head", "station": "unit_head", "office": "office"},
    evidence=Label("辦結報告或落實記錄", "Completion report, or progress reports per unit"),
    deadline_hours=DEFAULT_DEADLINE_HOURS,
    notes={"owner": "core: the county assigns it; townships cannot switch it off"},
)


@dataclass(frozen=True)
class RuleTerms:
    """What a rule directive asks, validated."""

    period: Period
    applies_to: tuple[str, ...]
    min_count: int


@dataclass(frozen=True)
class Progress:
    """One township's units under one rule directive."""

    units: int = 0
    fulfilled: int = 0
    waived: int = 0

    @property
    def complete(self) -> bool:
        return self.units > 0 and self.fulfilled + self.waived == self.units


def slot(directive_id) -> str:
    return f"{TRIGGER}:{directive_id}"


def validate_terms(period: Period | str | None, applies_to: Iterable[str] | None,
                   min_count: int | None, now: dt.datetime, timezone: str) -> RuleTerms:
    """The terms of a rule directive, or DomainError on the first bad field."""
    if period is None:
        raise DomainError("period", "required for a rule, e.g. 2026H2, 2026Q3 or 2026")
    if isinstance(period, str):
        try:
            period = parse(period)
        except ValueError as error:
            raise DomainError("period", str(error)) from error
    if period.due_at(timezone) <= now:
        raise DomainError("period", f"{period.label} has already ended")
    kinds = tuple(dict.fromkeys(applies_to or ()))
    if not kinds:
        raise DomainError("applies_to", "name the unit kinds, e.g. [\"village\"]")
    unknown = [k for k in kinds if k not in UNIT_KINDS]
    if unknown:
        raise DomainError("applies_to", "not unit kinds: " + ", ".join(unknown))
    if min_count is None or not 1 <= min_count <= MAX_COUNT:
        raise DomainError("min_count", f"between 1 and {MAX_COUNT}")
    return RuleTerms(period, kinds, min_count)


def terms_columns(terms: RuleTerms) -> dict[str, Any]:
    return {"kind": "rule", "period": terms.period.label, "period_start": terms.period.start,
            "period_end": terms.period.end, "applies_to": list(terms.applies_to),
            "min_count": terms.min_count}


def open_rule(session: Session, directive: Directive, terms: RuleTerms, slug: str,
              committee_id: uuid.UUID, now: dt.datetime) -> DirectiveTarget:
    """In a target township's scope: its copy and one obligation per active unit of the
    kinds. DomainError when it has no such unit or the period ended in its time zone."""
    timezone = require_tenant().timezone
    due = terms.period.due_at(timezone).astimezone(dt.UTC)
    if due <= now:
        raise DomainError("period", f"{terms.period.label} has already ended in {slug}")
    units = session.execute(
        select(OrgUnit.id, OrgUnit.kind)
        .where(OrgUnit.archived_at.is_(None), OrgUnit.kind.in_(terms.applies_to))
        .order_by(OrgUnit.code)).all()
    if not units:
        raise DomainError("applies_to", f"{slug} has no active unit of the kinds "
                                           + ", ".join(terms.applies_to))
    rule = registry().get(RULE_KEY)
    eff = effective(rule, _versions(session, RULE_KEY), terms.period.start)
    for unit_id, kind in units:
        session.add(Obligation(
            rule_key=RULE_KEY, unit_id=unit_id, slot=slot(directive.id),
            period_start=terms.period.start, period_end=terms.period.end, due_at=due,
            min_count=terms.min_count, source_clause=rule.source, rule_version=eff.version,
            responsible_role=rule.role_for(kind), trigger_type=TRIGGER,
            trigger_id=str(directive.id), triggered_at=now))
    target = DirectiveTarget(directive_id=directive.id, unit_id=committee_id,
                             title=directive.title, content=directive.content, deadline=due,
                             **terms_columns(terms))
    session.add(target)
    session.flush()
    return target


def _of(directive_ids: Iterable[uuid.UUID]):
    return and_(Obligation.rule_key == RULE_KEY, Obligation.trigger_type == TRIGGER,
                Obligation.trigger_id.in_([str(i) for i in directive_ids]),
                Obligation.archived_at.is_(None))


def _met():
    return and_(Obligation.waived_at.is_(None), Obligation.counted >= Obligation.min_count)


def progress(session: Session, directive_ids: Iterable[uuid.UUID]
             ) -> dict[tuple[uuid.UUID, uuid.UUID], Progress]:
    """(township id, directive id) -> its units' progress, from the obligations' stored
    counts: in a township's scope its own, in a county read scope every township's."""
    ids = list(directive_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Obligation.tenant_id, Obligation.trigger_id, func.count(),
               func.sum(case((_met(), 1), else_=0)),
               func.sum(case((Obligation.waived_at.is_not(None), 1), else_=0)))
        .where(_of(ids)).group_by(Obligation.tenant_id, Obligation.trigger_id)).all()
    return {(tenant_id, uuid.UUID(trigger)): Progress(units, fulfilled or 0, waived or 0)
            for tenant_id, trigger, units, fulfilled, waived in rows}


def state(target: DirectiveTarget, done: Progress | None, now: dt.datetime) -> str:
    """open | completed | overdue | cancelled, for either kind (a rule's from its units'
    progress; cancelled when the county withdrew it before it was done)."""
    if target.status == "cancelled":
        return "cancelled"
    if target.kind == "rule":
        if done is not None and done.complete:
            return "completed"
    elif target.status == "completed":
        return "completed"
    return "overdue" if target.deadline <= now else "open"


def completed_rules(session: Session) -> set[uuid.UUID]:
    """This township's rule directives whose every unit obligation is met or waived."""
    rule_ids = select(DirectiveTarget.directive_id).where(DirectiveTarget.kind == "rule")
    ids = list(session.scalars(rule_ids))
    return {d for (_t, d), done in progress(session, ids).items() if done.complete}


def unit_rows(session: Session, directive_ids: list[uuid.UUID],
              now: dt.datetime) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Per directive, each unit's obligation: required, done, status (township scope)."""
    result: dict[uuid.UUID, list[dict[str, Any]]] = {d: [] for d in directive_ids}
    if not directive_ids:
        return result
    rows = session.execute(
        select(Obligation, OrgUnit.code, OrgUnit.name, OrgUnit.kind,
               status_case(Obligation.counted))
        .join(OrgUnit, OrgUnit.id == Obligation.unit_id)
        .where(_of(directive_ids)).order_by(OrgUnit.code).params(**moments(now))).all()
    for obligation, code, name, kind, status in rows:
        result[uuid.UUID(obligation.trigger_id)].append({
            "unit_id": obligation.unit_id, "unit_code": code, "unit_name": name,
            "unit_kind": kind, "obligation_id": obligation.id,
            "required": obligation.min_count, "done": obligation.counted, "status": status})
    return result


def views(session: Session, targets: list[DirectiveTarget],
          now: dt.datetime) -> list[dict[str, Any]]:
    """A township's copies as the API shows them: rules with their units' progress."""
    rule_ids = [t.directive_id for t in targets if t.kind == "rule"]
    done = {d: p for (_t, d), p in progress(session, rule_ids).items()}
    units = unit_rows(session, rule_ids, now)
    result = []
    for target in targets:
        view = {name: getattr(target, name) for name in (
            "directive_id", "kind", "title", "content", "deadline", "unit_id", "obligation_id",
            "report", "completed_at", "created_at", "updated_at", "period", "period_start",
            "period_end", "applies_to", "min_count", "chased_at", "chase_count")}
        mine = done.get(target.directive_id, Progress())
        view["status"] = state(target, mine, now)
        if target.kind == "rule":
            view["progress"] = {"units": mine.units, "fulfilled": mine.fulfilled,
                                "waived": mine.waived}
            view["units"] = units[target.directive_id]
        result.append(view)
    return result


# --- progress reports per unit ---------------------------------------------------------------

def record_report(session: Session, target: DirectiveTarget, *, unit_id: uuid.UUID,
                  occurred_at: dt.datetime, note: str | None = None,
                  by: uuid.UUID | None = None) -> DirectiveReport:
    """A unit did something the rule asks; it counts toward that unit's obligation."""
    if target.kind != "rule":
        raise DomainError("_schema", "a task is completed with a completion report; "
                                        "progress reports are for rule directives")
    obligation = session.scalar(select(Obligation).where(
        Obligation.rule_key == RULE_KEY, Obligation.unit_id == unit_id,
        Obligation.slot == slot(target.directive_id), Obligation.archived_at.is_(None)))
    if obligation is None:
        raise DomainError("unit_id", "this directive asks nothing of that unit")
    if occurred_at > utcnow():
        raise DomainError("occurred_at", "cannot be in the future")
    local = occurred_at.astimezone(ZoneInfo(require_tenant().timezone)).date()
    if not target.period_start <= local <= target.period_end:
        raise DomainError("occurred_at", f"must fall within {target.period} "
                                            f"({target.period_start} to {target.period_end})")
    report = DirectiveReport(directive_id=target.directive_id, target_id=target.id,
                             unit_id=unit_id, obligation_id=obligation.id,
                             occurred_at=occurred_at, note=note, recorded_by=by)
    session.add(report)
    session.flush()
    sync(session, REPORT_SOURCE, report.id,
         [Evidence(RULE_KEY, unit_id, occurred_at, obligation_id=obligation.id)])
    return report


def archive_report(session: Session, report: DirectiveReport) -> DirectiveReport:
    """Archive (never delete): the report counts for nothing any more."""
    if report.archived_at is None:
        report.archived_at = utcnow()
        session.flush()
        withdraw(session, REPORT_SOURCE, report.id)
    return report
