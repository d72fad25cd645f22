"""Proposed versions of ``zerenzhi.obligations.status.status_query``, measured by
``obligations.py --what-if`` against core's (the benchmark does not change core).

Same arguments, same rows (Obligation, done, fulfilled_at, evidence_type, evidence_id,
status). ``status_query_cached`` makes change 1 only (its SQL is core's); ``status_query_split``
makes both:

1. The statement is built once per window shape and cached, with named bind parameters
   (``w_start``, ``w_end``, ``due_from``, ``due_to``, ``now``, ``soon``) filled in by
   ``Select.params()``. Building core's statement costs ~3 ms of Python per call (aliased
   entity, CTE and subquery column collections, adaptation), more than the query itself
   takes on the database.
2. The ledger join's ``OR`` is split into two index-friendly joins under ``UNION ALL``:
   periodic obligations join entries on (tenant, rule, unit, occurred_on BETWEEN period
   start and end) — a range on ``ix_fulfilment_count`` instead of every entry the unit
   ever had for the rule — and linked entries join on (tenant, obligation_id), which wants
   an index ``fulfilment (tenant_id, obligation_id)`` (the composite foreign key has none).
   An entry that is both in the period and linked to the same obligation is counted once,
   as with the ``OR``.
"""

from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import Date, Select, and_, bindparam, case, func, not_, or_, select, union_all
from sqlalchemy.orm import aliased

from zerenzhi.db.base import UTCDateTime
from zerenzhi.obligations.models import Fulfilment, Obligation
from zerenzhi.obligations.status import Window


def _window_filter(shape: tuple[bool, bool, bool, bool]):
    has_start, has_end, has_from, has_to = shape
    clauses = [Obligation.archived_at.is_(None)]
    if has_start:
        clauses.append(Obligation.period_end >= bindparam("w_start", type_=Date()))
    if has_end:
        clauses.append(Obligation.period_start <= bindparam("w_end", type_=Date()))
    if has_from:
        clauses.append(Obligation.due_at >= bindparam("due_from", type_=UTCDateTime()))
    if has_to:
        clauses.append(Obligation.due_at < bindparam("due_to", type_=UTCDateTime()))
    return and_(*clauses)


def _hits_or(shape):
    """Core's ledger join, unchanged: one join with an OR."""
    entry = aliased(Fulfilment)
    return select(
        Obligation.id.label("obligation_id"),
        Obligation.min_count.label("min_count"),
        entry.occurred_at.label("occurred_at"),
        entry.source_type.label("source_type"),
        entry.source_id.label("source_id"),
        func.row_number().over(
            partition_by=Obligation.id, order_by=(entry.occurred_at, entry.id)
        ).label("n"),
    ).join(entry, and_(
        entry.tenant_id == Obligation.tenant_id,
        entry.rule_key == Obligation.rule_key,
        entry.unit_id == Obligation.unit_id,
        entry.archived_at.is_(None),
        or_(
            and_(Obligation.trigger_id.is_(None),
                 entry.occurred_on.between(Obligation.period_start, Obligation.period_end)),
            entry.obligation_id == Obligation.id,
        ),
    )).where(_window_filter(shape)).cte("hits")


def _hits_split(shape):
    """The OR split into two joins an index can serve, under UNION ALL."""
    entry = aliased(Fulfilment)

    def columns():
        return (Obligation.id.label("obligation_id"), Obligation.min_count.label("min_count"),
                entry.occurred_at.label("occurred_at"), entry.source_type.label("source_type"),
                entry.source_id.label("source_id"), entry.id.label("entry_id"))

    same = and_(entry.tenant_id == Obligation.tenant_id, entry.rule_key == Obligation.rule_key,
                entry.unit_id == Obligation.unit_id, entry.archived_at.is_(None))
    in_period = and_(Obligation.trigger_id.is_(None),
                     entry.occurred_on.between(Obligation.period_start, Obligation.period_end))
    periodic = select(*columns()).join(entry, and_(same, in_period)) \
        .where(_window_filter(shape))
    linked = select(*columns()).join(
        entry, and_(same, entry.obligation_id == Obligation.id, not_(in_period))) \
        .where(_window_filter(shape))
    matched = union_all(periodic, linked).subquery("matched")
    return select(
        matched.c.obligation_id, matched.c.min_count, matched.c.occurred_at,
        matched.c.source_type, matched.c.source_id,
        func.row_number().over(partition_by=matched.c.obligation_id,
                               order_by=(matched.c.occurred_at, matched.c.entry_id)).label("n"),
    ).cte("hits")


@functools.lru_cache(maxsize=32)
def _statement(shape: tuple[bool, bool, bool, bool], split: bool) -> Select:
    """Everything after the hits CTE is core's code, with named bind parameters."""
    hits = _hits_split(shape) if split else _hits_or(shape)
    at_min = hits.c.n == hits.c.min_count
    counts = (
        select(
            hits.c.obligation_id,
            func.max(hits.c.n).label("done"),
            func.max(case((at_min, hits.c.occurred_at))).label("fulfilled_at"),
            func.max(case((at_min, hits.c.source_type))).label("by_type"),
            func.max(case((at_min, hits.c.source_id))).label("by_id"),
        )
        .group_by(hits.c.obligation_id)
        .subquery("counts")
    )
    done = func.coalesce(counts.c.done, 0)
    status = case(
        (Obligation.waived_at.is_not(None), "waived"),
        (done >= Obligation.min_count, "fulfilled"),
        (Obligation.due_at <= bindparam("now", type_=UTCDateTime()), "overdue"),
        (Obligation.due_at <= bindparam("soon", type_=UTCDateTime()), "due_soon"),
        else_="upcoming",
    ).label("status")
    fulfilled_at = case((done >= Obligation.min_count, counts.c.fulfilled_at)).label(
        "fulfilled_at")
    return (
        select(Obligation, done.label("done"), fulfilled_at,
               counts.c.by_type.label("evidence_type"), counts.c.by_id.label("evidence_id"),
               status)
        .outerjoin(counts, counts.c.obligation_id == Obligation.id)
        .where(_window_filter(shape))
    )


def _status_query(window: Window, now: dt.datetime, due_soon_days: int, split: bool) -> Select:
    shape = (window.start is not None, window.end is not None, window.due_from is not None,
             window.due_to is not None)
    values = {"now": now, "soon": now + dt.timedelta(days=due_soon_days)}
    for name, value in (("w_start", window.start), ("w_end", window.end),
                        ("due_from", window.due_from), ("due_to", window.due_to)):
        if value is not None:
            values[name] = value
    return _statement(shape, split).params(**values)


def status_query_cached(window: Window, now: dt.datetime, due_soon_days: int = 14) -> Select:
    return _status_query(window, now, due_soon_days, split=False)


def status_query_split(window: Window, now: dt.datetime, due_soon_days: int = 14) -> Select:
    return _status_query(window, now, due_soon_days, split=True)
