"""Obligation status as one set-based query over obligations and the ledger.

``done`` counts ledger entries in the obligation's period (or linked to its event);
``fulfilled_at`` is when the ``min_count``-th entry happened (a window function); the
status is a CASE over those. Runs the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import Date, Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import aliased

from zerenzhi.db.base import UTCDateTime
from zerenzhi.obligations.models import Fulfilment, Obligation

STATUSES = ("upcoming", "due_soon", "overdue", "fulfilled", "waived")


@dataclass(frozen=True)
class Window:
    """Obligations whose period overlaps [start, end] (dates), or due in [due_from, due_to),
    or due in (due_after, due_by]: the due *days* of a local window, since an obligation
    due at a midnight is due at the end of the day before (``service.due_on``)."""

    start: dt.date | None = None
    end: dt.date | None = None
    due_from: dt.datetime | None = None
    due_to: dt.datetime | None = None
    due_after: dt.datetime | None = None
    due_by: dt.datetime | None = None


def window_filter(shape: tuple[bool, ...]):
    has_start, has_end, has_from, has_to, has_after, has_by = shape
    clauses = [Obligation.archived_at.is_(None)]
    if has_start:
        clauses.append(Obligation.period_end >= bindparam("w_start", type_=Date()))
    if has_end:
        clauses.append(Obligation.period_start <= bindparam("w_end", type_=Date()))
    if has_from:
        clauses.append(Obligation.due_at >= bindparam("due_from", type_=UTCDateTime()))
    if has_to:
        clauses.append(Obligation.due_at < bindparam("due_to", type_=UTCDateTime()))
    if has_after:
        clauses.append(Obligation.due_at > bindparam("due_after", type_=UTCDateTime()))
    if has_by:
        clauses.append(Obligation.due_at <= bindparam("due_by", type_=UTCDateTime()))
    return and_(*clauses)


def waived():
    return Obligation.waived_at.is_not(None)


def met(done):
    return done >= Obligation.min_count


def past_due():
    return Obligation.due_at <= bindparam("now", type_=UTCDateTime())


def status_case(done):
    """The status rule, over any count of entries: the live ledger join here, the stored
    ``Obligation.counted`` in county roll-ups (which count its outcomes with the same
    ``waived``/``met``/``past_due``). Binds ``now`` and ``soon`` (``moments``)."""
    return case(
        (waived(), "waived"),
        (met(done), "fulfilled"),
        (past_due(), "overdue"),
        (Obligation.due_at <= bindparam("soon", type_=UTCDateTime()), "due_soon"),
        else_="upcoming",
    ).label("status")


def moments(now: dt.datetime, due_soon_days: int = 14) -> dict[str, dt.datetime]:
    """The values ``status_case`` binds."""
    return {"now": now, "soon": now + dt.timedelta(days=due_soon_days)}


@functools.lru_cache(maxsize=16)
def _statement(shape: tuple[bool, ...]) -> Select:
    """Built once per window shape: building it costs more Python than the query costs
    the database (bench/README.md); each call only binds its values."""
    entry = aliased(Fulfilment)
    hits = (
        select(
            Obligation.id.label("obligation_id"),
            Obligation.min_count.label("min_count"),
            entry.occurred_at.label("occurred_at"),
            entry.source_type.label("source_type"),
            entry.source_id.label("source_id"),
            func.row_number().over(
                partition_by=Obligation.id, order_by=(entry.occurred_at, entry.id)
            ).label("n"),
        )
        .join(entry, and_(
            entry.tenant_id == Obligation.tenant_id,  # several tenants in county reads
            entry.rule_key == Obligation.rule_key,
            entry.unit_id == Obligation.unit_id,
            entry.archived_at.is_(None),
            or_(
                and_(Obligation.trigger_id.is_(None),
                     entry.occurred_on.between(Obligation.period_start, Obligation.period_end)),
                entry.obligation_id == Obligation.id,
            ),
        ))
        .where(window_filter(shape))
        .cte("hits")
    )
    at_min = hits.c.n == hits.c.min_count  # the entry that reached the required count
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
    status = status_case(done)
    fulfilled_at = case((done >= Obligation.min_count, counts.c.fulfilled_at)).label(
        "fulfilled_at")
    return (
        select(Obligation, done.label("done"), fulfilled_at,
               counts.c.by_type.label("evidence_type"), counts.c.by_id.label("evidence_id"),
               status)
        .outerjoin(counts, counts.c.obligation_id == Obligation.id)
        .where(window_filter(shape))
    )


def status_query(window: Window, now: dt.datetime, due_soon_days: int = 14) -> Select:
    """Rows: Obligation, done, fulfilled_at, evidence type and id, status."""
    named = (("w_start", window.start), ("w_end", window.end),
             ("due_from", window.due_from), ("due_to", window.due_to),
             ("due_after", window.due_after), ("due_by", window.due_by))
    shape = tuple(value is not None for _, value in named)
    values: dict = moments(now, due_soon_days)
    for name, value in named:
        if value is not None:
            values[name] = value
    return _statement(shape).params(**values)


def filtered(query: Select, *, statuses=None, unit_id=None, rule_key=None, role=None) -> Select:
    """Filter the status query; status filters apply to the computed column."""
    if unit_id is not None:
        query = query.where(Obligation.unit_id == unit_id)
    if rule_key is not None:
        query = query.where(Obligation.rule_key == rule_key)
    if role is not None:
        query = query.where(Obligation.responsible_role == role)
    if statuses:
        inner = query.subquery("rows")
        picked = aliased(Obligation, inner)
        query = select(picked, inner.c.done, inner.c.fulfilled_at, inner.c.evidence_type,
                       inner.c.evidence_id, inner.c.status).where(inner.c.status.in_(statuses))
    return query
