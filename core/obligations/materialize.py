"""Creating obligation rows: periodic ones for a window of time, event ones when a
plugin records what triggers them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from zerenzhi.db.base import utcnow
from zerenzhi.domain import DomainError
from zerenzhi.obligations.models import Obligation
from zerenzhi.obligations.periods import Period, local_today, period_of, periods_within
from zerenzhi.obligations.versions import _versions, effective, enabled_rules, registry
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.tenancy.context import require_tenant

DEFAULT_PERIODS_AHEAD = 1
CADENCES = ("year", "half_year", "quarter", "month")


def periods_ahead() -> int:
    """How many periods past the current one the calendar shows (``OBLIGATIONS_PERIODS_AHEAD``)."""
    return int(current_app.config.get("OBLIGATIONS_PERIODS_AHEAD", DEFAULT_PERIODS_AHEAD))


def owed(period: Period, live_from: dt.date | None) -> bool:
    """A period is owed when it ends on or after the township's go-live date: the period in
    which it goes live counts (decision 0018), the ones that ended before do not."""
    return live_from is None or period.end >= live_from


def check_owed(period: Period, field: str = "period", *, location: str = "query") -> None:
    """422 for a period the township owed nothing in: before its go-live date, asking would
    only show an empty backlog (issue: 1999H1 used to answer 19 overdue items)."""
    live_from = require_tenant().live_from
    if not owed(period, live_from):
        raise DomainError(field, f"{period.label} ends before this township went live on "
                                 f"{live_from.isoformat()}; nothing is owed for it",
                          location=location)


def _schedule(cadence: str, first: dt.date, last: dt.date, ahead: int) -> list[Period]:
    """The periods of ``cadence`` from the one holding ``first`` through ``ahead`` periods
    after the one holding ``last``."""
    periods, period = [], period_of(cadence, first)
    stop = period_of(cadence, last)
    while period.start <= stop.start or ahead > 0:
        if period.start > stop.start:
            ahead -= 1
        periods.append(period)
        period = period_of(cadence, period.end + dt.timedelta(days=1))
    return periods


def materialise(session: Session, now: dt.datetime | None = None, *,
                since: dt.date | None = None, ahead: int | None = None) -> int:
    """Make the tenant's periodic obligations what the calendar says, from the current period
    of each cadence (or the one holding ``since``: a township going live) through ``ahead``
    periods after it, never for a period ending before ``live_from``.

    Called when the facts change — a township provisioned or going live, a module enabled
    or disabled, a rule changed, a unit added, moved or archived — and by the scheduler as
    periods begin; never by a read. Idempotent. Obligations no longer owed in a period that
    has not ended (a module switched off, a unit archived) are archived, and restored when
    owed again; ended periods are history and stay as they were. Returns rows changed.
    """
    tenant = require_tenant()
    if tenant.kind != "township":
        return 0
    today = local_today(tenant.timezone, now)
    first = min(since or today, today)
    last = today
    if tenant.live_from is not None:
        first = max(first, tenant.live_from)
        last = max(last, tenant.live_from)
    ahead = periods_ahead() if ahead is None else ahead
    plan = {rule.key: (rule, [p for p in _schedule(rule.cadence, first, last, ahead)
                              if owed(p, tenant.live_from)])
            for rule in enabled_rules(session) if rule.cadence != "event"}
    # every cadence's reach, so a switched-off rule's rows are found whatever its cadence
    horizon = max(_schedule(c, last, last, ahead)[-1].end for c in CADENCES)
    changed = _reconcile(session, plan, tenant.timezone, open_from=min(first, today),
                         horizon=horizon, retire_from=today,
                         restore_from=first if since is not None else today)
    if since is not None and tenant.live_from is not None:
        changed += _retire_before(session, tenant.live_from)
    return changed


def _retire_before(session: Session, live_from: dt.date) -> int:
    """Go-live moved later: periods that ended before it are no longer owed (archived, so
    the records that fulfilled them keep their history)."""
    rows = session.scalars(select(Obligation).where(
        Obligation.trigger_id.is_(None), Obligation.period_end < live_from,
        Obligation.archived_at.is_(None))).all()
    now = utcnow()
    for obligation in rows:
        obligation.archived_at = now
    session.flush()
    return len(rows)


def ensure_periodic(session: Session, window: Period) -> int:
    """Create the missing obligations of every enabled periodic rule overlapping ``window``
    for every active unit it applies to (never before ``live_from``); retire nothing.
    For bulk loads and tests; the app itself calls ``materialise``. Returns rows created."""
    tenant = require_tenant()
    plan = {rule.key: (rule, [p for p in periods_within(rule.cadence, window)
                              if owed(p, tenant.live_from)])
            for rule in enabled_rules(session) if rule.cadence != "event"}
    return _reconcile(session, plan, tenant.timezone, open_from=window.start,
                      horizon=window.end, retire_from=None, restore_from=window.start)


def _reconcile(session: Session, plan: dict, timezone: str, *, open_from: dt.date,
               horizon: dt.date, retire_from: dt.date | None, restore_from: dt.date) -> int:
    """Create the planned obligations that are missing, restore archived ones planned again
    in periods ending on or after ``restore_from`` (a go-live moved back restores the
    periods it owes again) and, for periods ending on or after ``retire_from``, archive the
    unplanned ones."""
    versions = _versions(session)
    units = session.execute(
        select(OrgUnit.id, OrgUnit.kind).where(OrgUnit.archived_at.is_(None))
    ).all()
    wanted: dict[tuple[str, uuid.UUID, str], tuple] = {}
    for rule, periods in plan.values():
        for period in periods:
            eff = effective(rule, versions, period.start)
            if not eff.enabled:
                continue
            concerned = set(rule.units(session, period)) if rule.units else None
            for unit_id, kind in units:
                if kind in rule.applies_to and (concerned is None or unit_id in concerned):
                    wanted[(rule.key, unit_id, period.label)] = (rule, eff, period, kind)
    starts = [p.start for _rule, periods in plan.values() for p in periods]
    lowest = min([open_from, *starts])
    if retire_from is None and not wanted:
        return 0
    statement = select(Obligation).where(
        Obligation.trigger_id.is_(None), Obligation.period_end >= lowest,
        Obligation.period_start <= horizon)
    if retire_from is None:  # only look at the rules and slots planned
        statement = statement.where(
            Obligation.rule_key.in_({k[0] for k in wanted}),
            tuple_(Obligation.rule_key, Obligation.slot).in_({(k[0], k[2]) for k in wanted}))
    existing = {(o.rule_key, o.unit_id, o.slot): o for o in session.scalars(statement)}
    changed, now = 0, utcnow()
    for key, (rule, eff, period, kind) in wanted.items():
        found = existing.get(key)
        if found is not None:
            if found.archived_at is not None and period.end >= restore_from:
                found.archived_at = None  # owed again: a unit restored, a module re-enabled
                changed += 1
            continue
        session.add(Obligation(
            rule_key=rule.key, unit_id=key[1], slot=period.label, period_start=period.start,
            period_end=period.end, due_at=period.due_at(timezone),
            min_count=eff.min_count, source_clause=rule.source, rule_version=eff.version,
            responsible_role=rule.role_for(kind),
        ))
        changed += 1
    if retire_from is not None:
        for key, obligation in existing.items():
            if (key not in wanted and obligation.archived_at is None
                    and obligation.period_end >= retire_from):
                obligation.archived_at = now  # no longer owed; history stays in the audit
                changed += 1
    session.flush()
    return changed


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
