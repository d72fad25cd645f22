"""The roll-up statements: the obligations status query, regrouped across townships.

Each builder reuses ``status_query`` (its joins, window and computed status) and swaps
its columns for aggregates, so the county sees exactly what each township's dashboard
computes, in one statement. Run them inside ``county_read_scope``: the ORM adds the
county's townships to every entity whose columns a statement returns, and PostgreSQL's
county policy does the same below it. Every other tenant table a statement touches is
tied to ``Obligation.tenant_id`` by an equality, so no row can come from elsewhere
(and Citus can keep each join on one shard).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Select, and_, bindparam, func, select

from core.db.base import UTCDateTime
from core.obligations.models import Obligation
from core.obligations.periods import Period
from core.obligations.status import Window, status_query
from core.orgunits.models import OrgUnit
from core.plugins.models import TenantPlugin
from core.tenancy.models import Tenant


def _status(query: Select):
    """The computed status column of ``status_query`` (a labelled CASE)."""
    return query.selected_columns.status


def townships(county_id) -> Select:
    """The county's live townships, for labels and for rows with nothing to count."""
    return (select(Tenant.id, Tenant.slug, Tenant.name, Tenant.name_en, Tenant.timezone)
            .where(Tenant.county_id == county_id, Tenant.kind == "township",
                   Tenant.archived_at.is_(None))
            .order_by(Tenant.slug))


def compliance(period: Period, now: dt.datetime) -> Select:
    """Rows (tenant_id, rule_key, status, n): obligations of ``period`` by township, rule
    and computed status — the matrix, before it is pivoted."""
    base = status_query(Window(start=period.start, end=period.end), now)
    status = _status(base)
    return (base.with_only_columns(Obligation.tenant_id, Obligation.rule_key, status,
                                   func.count(Obligation.id).label("n"))
            .group_by(Obligation.tenant_id, Obligation.rule_key, status))


def trend(start: dt.date, end: dt.date, now: dt.datetime) -> Select:
    """Rows (tenant_id, period_start, period_end, status, n) for obligations overlapping
    [start, end]; the caller adds each group to every asked period it overlaps.

    Grouping by the obligation's own period (a handful of distinct ranges per township)
    instead of joining a table of asked periods keeps the plan the same as
    ``compliance``'s: a range join there made PostgreSQL misjudge row counts and choose a
    quadratic nested loop over the status counts.
    """
    base = status_query(Window(start=start, end=end), now)
    status = _status(base)
    return (base.with_only_columns(Obligation.tenant_id, Obligation.period_start,
                                   Obligation.period_end, status,
                                   func.count(Obligation.id).label("n"))
            .group_by(Obligation.tenant_id, Obligation.period_start, Obligation.period_end,
                      status))


def overdue(now: dt.datetime, *, township_id: uuid.UUID | None = None,
            rule: str | None = None, min_days: int = 0, period: Period | None = None) -> Select:
    """Overdue obligations across the county with their unit, oldest first.

    Only due dates before ``now`` can be overdue, so the window is bounded by it (the
    ``(tenant_id, due_at)`` index); the status filter repeats the CASE in WHERE. Township
    labels are joined in Python: a join to ``tenant`` here made PostgreSQL misjudge the
    row count and pick a quadratic nested loop over the status counts.
    """
    cutoff = now - dt.timedelta(days=min_days)
    base = status_query(Window(due_to=cutoff + dt.timedelta(seconds=1)), now)
    status = _status(base)
    query = (
        base.with_only_columns(
            Obligation.id, Obligation.tenant_id, Obligation.rule_key, Obligation.source_clause,
            Obligation.unit_id, Obligation.slot, Obligation.trigger_id, Obligation.period_start,
            Obligation.period_end, Obligation.due_at, Obligation.min_count,
            Obligation.responsible_role, base.selected_columns.done,
            OrgUnit.code.label("unit_code"), OrgUnit.name.label("unit_name"))
        .join(OrgUnit, and_(OrgUnit.tenant_id == Obligation.tenant_id,
                            OrgUnit.id == Obligation.unit_id))
        .where(status.element == "overdue")
        .where(Obligation.due_at <= bindparam("cutoff", cutoff, type_=UTCDateTime()))
    )
    if township_id is not None:
        query = query.where(Obligation.tenant_id == township_id)
    if rule is not None:
        query = query.where(Obligation.rule_key == rule)
    if period is not None:
        query = query.where(Obligation.period_end >= period.start,
                            Obligation.period_start <= period.end)
    return query


def page(query: Select, limit: int | None, offset: int = 0) -> Select:
    """A total order (oldest due first), so pages neither repeat nor skip."""
    query = query.order_by(Obligation.due_at, Obligation.tenant_id, Obligation.id)
    return query if limit is None else query.limit(limit).offset(offset)


def count(query: Select) -> Select:
    """How many rows ``query`` has, counted in place (cheaper than over a subquery)."""
    return query.with_only_columns(func.count(Obligation.id)).order_by(None)


def enabled_plugins() -> Select:
    """(tenant_id, plugin) of every module the county's townships enabled."""
    return select(TenantPlugin.tenant_id, TenantPlugin.plugin).where(TenantPlugin.enabled)
