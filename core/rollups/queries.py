"""The roll-up statements: obligations grouped across townships by their stored counts.

Compliance, trend and the overdue list's total read ``obligation_count`` (a few rows per
township, rule and period, kept in the writing transaction: decision 0033); the overdue
list's rows and a township's units read ``obligation`` only: its ``counted`` column is kept equal to the live
ledger count by ``zerenzhi.obligations.tally`` and outcomes follow ``status_case``'s rules, the same
rule each township's dashboard applies, so the county sees what the townships see without
joining millions of ledger entries (decision 0009). Run them inside
``county_read_scope``: the ORM adds the county's townships to every entity a statement
reads, and PostgreSQL's county policy does the same below it.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid

from sqlalchemy import (
    JSON,
    Date,
    FunctionElement,
    Integer,
    Select,
    String,
    TypeDecorator,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    select,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles

from zerenzhi.db.base import UTCDateTime
from zerenzhi.obligations.models import Obligation, ObligationCount
from zerenzhi.obligations.periods import Period
from zerenzhi.obligations.status import met, past_due, waived
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.tenancy.models import Tenant


class _TenantKey(TypeDecorator):
    """A grouped row's ``tenant_id``: tens of thousands of rows name a few thousand
    townships, so on SQLite (hex text) each distinct value is parsed once, not per row;
    PostgreSQL's driver already answers UUIDs."""

    impl = String(32)
    cache_ok = True

    def result_processor(self, dialect, coltype):
        if dialect.name == "postgresql":
            return None  # no call per row
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value, dialect):
        return value if value is None or isinstance(value, uuid.UUID) else _parse(value)


@functools.lru_cache(maxsize=65536)
def _parse(value: str) -> uuid.UUID:
    return uuid.UUID(hex=value)


TENANT_KEY = type_coerce(Obligation.tenant_id, _TenantKey()).label("tenant_id")


def _overlapping():
    """Live obligations whose period overlaps [w_start, w_end]."""
    return and_(Obligation.archived_at.is_(None),
                Obligation.period_end >= bindparam("w_start", type_=Date()),
                Obligation.period_start <= bindparam("w_end", type_=Date()))


def _still_owed():
    """The partial index ``ix_obligation_open``'s predicate, spelled so the planner sees it."""
    return and_(Obligation.archived_at.is_(None), Obligation.waived_at.is_(None),
                Obligation.counted < Obligation.min_count)


def townships(county_id) -> Select:
    """The county's live townships, for labels and for rows with nothing to count."""
    return (select(Tenant.id, Tenant.slug, Tenant.name, Tenant.name_en, Tenant.timezone)
            .where(Tenant.county_id == county_id, Tenant.kind == "township",
                   Tenant.archived_at.is_(None))
            .order_by(Tenant.slug))


def _outcomes() -> tuple:
    """Per group: obligations, waived, fulfilled, overdue — ``status_case``'s outcomes,
    counted in one pass (a row per group instead of one per group and status)."""
    live = ~waived()
    return (func.count().label("total"),
            func.count().filter(waived()).label("waived"),
            func.count().filter(live, met(Obligation.counted)).label("done"),
            func.count().filter(live, ~met(Obligation.counted), past_due()).label("overdue"))


COUNT_TENANT_KEY = type_coerce(ObligationCount.tenant_id, _TenantKey()).label("tenant_id")


def _counted() -> tuple:
    """Per group of ``ObligationCount`` rows: obligations, waived, fulfilled, overdue — the
    same outcomes as ``_outcomes`` (overdue: owed and due by ``now``), summed from the
    stored counts instead of counted from every obligation (decision 0033)."""
    n = ObligationCount.n
    outcome = ObligationCount.outcome

    def total(*where):
        return func.coalesce(func.sum(n).filter(*where), 0) if where else func.sum(n)
    return (total().label("total"), total(outcome == "waived").label("waived"),
            total(outcome == "met").label("done"),
            total(outcome == "owed", ObligationCount.due_at
                  <= bindparam("now", type_=UTCDateTime())).label("overdue"))


def _counts_overlapping():
    """Count rows whose period overlaps [w_start, w_end]."""
    return and_(ObligationCount.period_end >= bindparam("w_start", type_=Date()),
                ObligationCount.period_start <= bindparam("w_end", type_=Date()))


class cells(FunctionElement):
    """A JSON array of one array per grouped row: ``json_agg(json_build_array(…))`` on
    PostgreSQL, ``json_group_array(json_array(…))`` on SQLite; the driver parses it in C."""

    type = JSON()
    inherit_cache = True


@compiles(cells, "postgresql")
def _cells_pg(element, compiler, **kw):
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(cells, "sqlite")
def _cells_sqlite(element, compiler, **kw):
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@functools.lru_cache(maxsize=1)
def _compliance_cells() -> Select:
    return (select(COUNT_TENANT_KEY, ObligationCount.rule_key, *_counted())
            .where(_counts_overlapping())
            .group_by(ObligationCount.tenant_id, ObligationCount.rule_key)
            .having(func.sum(ObligationCount.n) > 0))


@functools.lru_cache(maxsize=1)
def _compliance() -> Select:
    group = _compliance_cells().subquery("cell")
    return (select(type_coerce(group.c.tenant_id, _TenantKey()).label("tenant_id"),
                   cells(group.c.rule_key, group.c.total, group.c.waived, group.c.done,
                         group.c.overdue).label("cells"))
            .group_by(group.c.tenant_id))


def compliance(period: Period, now: dt.datetime) -> Select:
    """Rows (tenant_id, cells), a row per township with obligations in ``period``, in no
    order; ``cells`` lists [rule_key, total, waived, done, overdue] per rule, in no order —
    the matrix, before it is pivoted.

    Packed per township because the rows cost more than the counting: a province of 3,000
    townships has 45,000 (township, rule) cells, and the ORM builds each result row column
    by column (a Python call per value); as 3,000 rows of JSON the service took 253 ms
    instead of 585 (CPU 100 instead of 427 ms), interleaved A/B on bench/rollup.py's
    province. No ORDER BY: sorting 45,000 groups cost PostgreSQL ~30 ms of 120."""
    return _compliance().params(w_start=period.start, w_end=period.end, now=now)


@functools.lru_cache(maxsize=1)
def _units() -> Select:
    return (select(Obligation.unit_id, Obligation.rule_key, *_outcomes())
            .where(_overlapping(), Obligation.tenant_id == bindparam("township_id"))
            .group_by(Obligation.unit_id, Obligation.rule_key))


def units(township_id: uuid.UUID, period: Period, now: dt.datetime) -> Select:
    """Rows (unit_id, rule_key, total, waived, done, overdue): one township's obligations
    of ``period`` by unit and rule — counts only, the row a county opens from its matrix."""
    return _units().params(township_id=township_id, w_start=period.start, w_end=period.end,
                           now=now)


def unit_labels(township_id: uuid.UUID) -> Select:
    """The township's units: code, name and kind, for the rows above."""
    return (select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.kind)
            .where(OrgUnit.tenant_id == township_id))


def half_index(day: dt.date) -> int:
    """Half-years as consecutive integers (2026H1 = 4052, 2026H2 = 4053)."""
    return day.year * 2 + (day.month > 6)


def _half(column):
    """``half_index`` in SQL (``extract`` is strftime on SQLite)."""
    return cast(extract("year", column) * 2
                + case((extract("month", column) > 6, 1), else_=0), Integer)


@functools.lru_cache(maxsize=1)
def _trend() -> Select:
    first, last = _half(ObligationCount.period_start), _half(ObligationCount.period_end)
    group = (select(ObligationCount.tenant_id, first.label("first_half"),
                    last.label("last_half"), *_counted())
             .where(_counts_overlapping())
             .group_by(ObligationCount.tenant_id, first, last)
             .having(func.sum(ObligationCount.n) > 0)).subquery("span")
    return (select(type_coerce(group.c.tenant_id, _TenantKey()).label("tenant_id"),
                   cells(group.c.first_half, group.c.last_half, group.c.total,
                         group.c.waived, group.c.done, group.c.overdue).label("spans"))
            .group_by(group.c.tenant_id))


def trend(start: dt.date, end: dt.date, now: dt.datetime) -> Select:
    """Rows (tenant_id, spans), a row per township in no order; ``spans`` lists [first_half,
    last_half, total, waived, done, overdue] for obligations overlapping [start, end],
    grouped by the half-years (``half_index``) their period starts and ends in: an
    obligation overlaps exactly the half-years between the two, so the caller adds each
    group to those, and a township's event obligations (a period each) fold into a few
    groups. Packed per township as ``compliance`` is (18,000 groups at 3,000 townships)."""
    return _trend().params(w_start=start, w_end=end, now=now)


OVERDUE_COLUMNS = (
    Obligation.id, Obligation.tenant_id, Obligation.rule_key, Obligation.source_clause,
    Obligation.unit_id, Obligation.slot, Obligation.trigger_id, Obligation.period_start,
    Obligation.period_end, Obligation.due_at, Obligation.min_count,
    Obligation.responsible_role, Obligation.counted.label("done"),
)


def overdue(now: dt.datetime, *, township_id: uuid.UUID | None = None,
            rule: str | None = None, min_days: int = 0, period: Period | None = None) -> Select:
    """Obligations still owed whose due date passed at least ``min_days`` before ``now``
    (``status_case``'s "overdue"), unordered; ``page`` orders, cuts and labels them."""
    cutoff = now - dt.timedelta(days=min_days)
    query = (select(*OVERDUE_COLUMNS)
             .where(_still_owed(),
                    Obligation.due_at <= bindparam("cutoff", cutoff, type_=UTCDateTime())))
    if township_id is not None:
        query = query.where(Obligation.tenant_id == township_id)
    if rule is not None:
        query = query.where(Obligation.rule_key == rule)
    if period is not None:
        query = query.where(Obligation.period_end >= period.start,
                            Obligation.period_start <= period.end)
    return query


def page(query: Select, limit: int | None, offset: int = 0) -> Select:
    """Oldest due first (a total order, so pages neither repeat nor skip), with each row's
    unit; the total is ``overdue_total``, a second statement.

    No window: ``count(*) OVER ()`` in the same pass spans every shard on Citus, which can
    only compute it by pulling every still-owed row of the county to the coordinator
    (tests/rollups/test_citus_plans.py); here each shard joins, sorts and cuts its own
    rows (``limit + offset``), and ``overdue_total`` answers the count. On one server it is
    faster too (bench/rollup.py, 30 and 300 townships: 2.1× the bare statement against
    3.1× for the single pass, whose join back by key the county's township list made a
    hash join over every obligation of the county)."""
    rows = (query.add_columns(OrgUnit.code.label("unit_code"), OrgUnit.name.label("unit_name"),
                              OrgUnit.kind.label("unit_kind"))
            .join(OrgUnit, and_(OrgUnit.tenant_id == Obligation.tenant_id,
                                OrgUnit.id == Obligation.unit_id))
            .order_by(Obligation.due_at, Obligation.tenant_id, Obligation.id))
    if limit is not None:
        rows = rows.limit(limit).offset(offset)
    return rows


def overdue_total(now: dt.datetime, *, township_id: uuid.UUID | None = None,
                  rule: str | None = None, min_days: int = 0,
                  period: Period | None = None) -> Select:
    """How many rows ``overdue`` with the same arguments has, summed from the stored counts
    (decision 0033): the "owed" groups due by the cutoff are exactly those obligations. At
    the bench's province that is 31,279 groups to add instead of 215,098 obligations to
    count (bench/rollup.py)."""
    cutoff = now - dt.timedelta(days=min_days)
    query = (select(func.coalesce(func.sum(ObligationCount.n), 0))
             .where(ObligationCount.outcome == "owed",
                    ObligationCount.due_at <= bindparam("cutoff", cutoff,
                                                        type_=UTCDateTime())))
    if township_id is not None:
        query = query.where(ObligationCount.tenant_id == township_id)
    if rule is not None:
        query = query.where(ObligationCount.rule_key == rule)
    if period is not None:
        query = query.where(ObligationCount.period_end >= period.start,
                            ObligationCount.period_start <= period.end)
    return query


def enabled_plugins() -> Select:
    """(tenant_id, plugin) of every module the county's townships enabled."""
    return select(TenantPlugin.tenant_id, TenantPlugin.plugin).where(TenantPlugin.enabled)
