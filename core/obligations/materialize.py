"""Creating obligation rows: periodic ones for a window of time, event ones when a
plugin records what triggers them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from zerenzhi.db.base import utcnow
from zerenzhi.obligations.models import Obligation
from zerenzhi.obligations.periods import Period, period_of, periods_within
from zerenzhi.obligations.versions import _versions, effective, enabled_rules, registry
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.tenancy.context import require_tenant


def ensure_periodic(session: Session, window: Period) -> int:
    """Create the missing obligations of every enabled periodic rule overlapping ``window``
    for every active unit it applies to. Returns how many were created."""
    tenant = require_tenant()
    rules = [r for r in enabled_rules(session) if r.cadence != "event"]
    if not rules:
        return 0
    versions = _versions(session)
    units = session.execute(
        select(OrgUnit.id, OrgUnit.kind).where(OrgUnit.archived_at.is_(None))
    ).all()
    wanted: dict[tuple[str, uuid.UUID, str], tuple] = {}
    for rule in rules:
        for period in periods_within(rule.cadence, window):
            eff = effective(rule, versions, period.start)
            if not eff.enabled:
                continue
            concerned = set(rule.units(session, period)) if rule.units else None
            for unit_id, kind in units:
                if kind in rule.applies_to and (concerned is None or unit_id in concerned):
                    wanted[(rule.key, unit_id, period.label)] = (rule, eff, period, kind)
    if not wanted:
        return 0
    existing = set(session.execute(
        select(Obligation.rule_key, Obligation.unit_id, Obligation.slot).where(
            Obligation.rule_key.in_({k[0] for k in wanted}),
            Obligation.period_start >= min(v[2].start for v in wanted.values()),
            Obligation.period_start <= window.end,
            tuple_(Obligation.rule_key, Obligation.slot).in_({(k[0], k[2]) for k in wanted}),
        )
    ).all())
    created = 0
    for key, (rule, eff, period, kind) in wanted.items():
        if key in existing:
            continue
        session.add(Obligation(
            rule_key=rule.key, unit_id=key[1], slot=period.label, period_start=period.start,
            period_end=period.end, due_at=period.due_at(tenant.timezone),
            min_count=eff.min_count, source_clause=rule.source, rule_version=eff.version,
            responsible_role=rule.role_for(kind),
        ))
        created += 1
    session.flush()
    return created


@dataclass(frozen=True)
class EventObligation:
    """What a plugin holds of an event obligation: a frozen handle, never the row. Moving,
    closing and re-opening go through ``open_event_obligation``,
    ``reschedule_event_obligation`` and ``close_event_obligation``, which keep the period,
    the stored count and the audit right; a plugin never writes core's rows."""

    id: uuid.UUID
    rule_key: str
    unit_id: uuid.UUID
    trigger_type: str
    trigger_id: str
    due_at: dt.datetime
    closed: bool

    @classmethod
    def of(cls, row: Obligation) -> EventObligation:
        return cls(row.id, row.rule_key, row.unit_id, row.trigger_type or "",
                   row.trigger_id or "", row.due_at, row.archived_at is not None)


def _redate(obligation: Obligation, due_at: dt.datetime) -> None:
    if obligation.due_at != due_at:
        obligation.due_at = due_at
        obligation.period_start = obligation.period_end = due_at.date()


def open_event_obligation(session: Session, rule_key: str, unit_id: uuid.UUID,
                          trigger_type: str, trigger_id: uuid.UUID | str,
                          triggered_at: dt.datetime,
                          due_at: dt.datetime | None = None) -> EventObligation | None:
    """Start an event rule's deadline (R3's 24 h, A3's 7 days before, I3's 15 days…).

    ``due_at`` overrides the rule's deadline when the record sets its own (a finding's
    rectification date). Returns None when the rule is switched off here. Idempotent per
    trigger: opening the same trigger again returns its obligation, re-opened if it was
    closed and re-dated to ``due_at`` when one is given.
    """
    rule = registry().get(rule_key)
    if rule is None or rule.cadence != "event":
        raise ValueError(f"{rule_key} is not an event rule")
    found = _event_obligation(session, rule_key, unit_id, trigger_type, trigger_id)
    if found is not None:
        found.archived_at = None  # the trigger stands again
        if due_at is not None:
            _redate(found, due_at)
        session.flush()
        return EventObligation.of(found)
    local_day = triggered_at.astimezone(ZoneInfo(require_tenant().timezone)).date()
    eff = effective(rule, _versions(session, rule_key), period_of("year", local_day).start)
    if not eff.enabled:
        return None
    unit_kind = session.scalar(select(OrgUnit.kind).where(OrgUnit.id == unit_id))
    due = due_at or triggered_at + dt.timedelta(hours=eff.deadline_hours)
    obligation = Obligation(
        rule_key=rule_key, unit_id=unit_id, slot=f"{trigger_type}:{trigger_id}",
        period_start=due.date(), period_end=due.date(), due_at=due, min_count=1,
        source_clause=rule.source, rule_version=eff.version,
        responsible_role=rule.role_for(unit_kind), trigger_type=trigger_type,
        trigger_id=str(trigger_id), triggered_at=triggered_at,
    )
    session.add(obligation)
    session.flush()
    return EventObligation.of(obligation)


def _event_obligation(session: Session, rule_key: str, unit_id: uuid.UUID, trigger_type: str,
                      trigger_id: uuid.UUID | str) -> Obligation | None:
    return session.scalar(select(Obligation).where(
        Obligation.rule_key == rule_key, Obligation.unit_id == unit_id,
        Obligation.slot == f"{trigger_type}:{trigger_id}"))


def reschedule_event_obligation(session: Session, rule_key: str, unit_id: uuid.UUID,
                                trigger_type: str, trigger_id: uuid.UUID | str,
                                due_at: dt.datetime, *,
                                triggered_at: dt.datetime | None = None) -> EventObligation | None:
    """The trigger's date moved (a finding's new deadline, a rescheduled activity): the
    obligation is due at ``due_at`` and sits in that day's period; ``triggered_at`` moves
    the trigger's own date too. None if never opened."""
    obligation = _event_obligation(session, rule_key, unit_id, trigger_type, trigger_id)
    if obligation is None:
        return None
    _redate(obligation, due_at)
    if triggered_at is not None:
        obligation.triggered_at = triggered_at
    session.flush()
    return EventObligation.of(obligation)


def close_event_obligation(session: Session, rule_key: str, unit_id: uuid.UUID,
                           trigger_type: str,
                           trigger_id: uuid.UUID | str) -> EventObligation | None:
    """The trigger no longer stands (archived, rejected, cancelled): nothing is owed.

    The obligation is archived, not deleted; its history stays in the audit of the record
    that caused it. Opening the trigger again with ``open_event_obligation`` restores it.
    None if it was never opened.
    """
    obligation = _event_obligation(session, rule_key, unit_id, trigger_type, trigger_id)
    if obligation is None:
        return None
    if obligation.archived_at is None:
        obligation.archived_at = utcnow()
        session.flush()
    return EventObligation.of(obligation)
