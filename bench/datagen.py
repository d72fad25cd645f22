"""Data for the obligations benchmark (``bench/obligations.py``).

* ``BenchPlugin``: a throwaway plugin whose rules are shaped like docs/domain.md's rule table
  (yearly 12 and 2 per branch, 2 per committee and branch, half-yearly 1 per committee
  ×2 and more, quarterly 1 per unit with a platform, yearly per office, and event rules
  with a few triggers a year).
* ``generate(plan)``: one township's 3 years (2024–2026) of obligations and ledger
  entries, deterministic from the plan's seed (ids included), with a realistic mix:
  most obligations met, some short, a few waived, entries only up to ``NOW``, a few
  archived (edited away) entries.
* ``Template`` / ``chunks``: K generated townships are the patterns for all the others
  (ids made unique per township by a suffix; see "templates" below), cut into (month,
  township) chunks and loaded month by month, township after township — so one township's
  rows are spread through the tables as after three years of townships recording side by
  side, not stored contiguously.
* Loaders: PostgreSQL with ``COPY`` as the owner role into staging tables, moved into the
  real ones per township under ``SET LOCAL app.tenant_id`` (PostgreSQL refuses COPY into a
  table whose RLS applies, and FORCE makes it apply to the owner); SQLite with
  ``executemany``.

Nothing here is imported by the app; the periods, due dates and rule shapes come from
core's own code (``zerenzhi.obligations.periods``, ``RuleDef``), and ``obligations.py``
checks the generator against core's ``ensure_periodic``, ``open_event_obligation`` and
ledger ``sync`` on one township of every database.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import pickle
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from zerenzhi import Label, Manifest, RuleDef, hookimpl
from zerenzhi.obligations.models import Fulfilment, Obligation
from zerenzhi.obligations.periods import Period, periods_within
from zerenzhi.obligations.tally import counts

TZ = "Asia/Shanghai"
ZONE = ZoneInfo(TZ)
UTC = dt.UTC
SPAN = Period(dt.date(2024, 1, 1), dt.date(2026, 12, 31), "window", "2024-2026")
NOW = dt.datetime(2026, 5, 15, 10, 0, tzinfo=ZONE)  # the benchmark's "today"
PROVISIONED = dt.datetime(2023, 12, 1, 9, 0, tzinfo=ZONE)
TOWNSHIPS_PER_COUNTY = 25

# 30 units: 1 committee, 1 office, 10 branches, 12 villages, 6 stations.
UNITS: tuple[tuple[str, str], ...] = (
    ("committee", "committee"), ("office", "office"),
    *((f"branch-{i}", "branch") for i in range(1, 11)),
    *((f"village-{i}", "village") for i in range(1, 13)),
    *((f"station-{i}", "station") for i in range(1, 7)),
)
UNIT_NAMES = {"committee": "黨委", "office": "辦公室", "branch": "黨支部", "village": "村委會",
              "station": "站所"}


def _rule(key, source, zh, en, cadence, applies_to, responsible, **numbers) -> RuleDef:
    return RuleDef(f"bench.{key}", source, Label(zh, en), cadence, applies_to, responsible,
                   Label("記錄", "Record"), **numbers)


RULES: tuple[RuleDef, ...] = (
    _rule("secretary_special_study", "W2", "專題研究", "Special study", "year",
          ("committee", "branch"), {"committee": "secretary", "branch": "branch_secretary"},
          min_count=2),
    _rule("branch_theory_study", "W3", "集中學習", "Centralised study", "year", ("branch",),
          "branch_secretary", min_count=12),
    _rule("branch_ideology_study", "W3", "意識形態學習", "Ideology study", "year", ("branch",),
          "branch_secretary", min_count=2),
    _rule("committee_special_meeting", "R1", "專題會議", "Special meeting", "half_year",
          ("committee",), "secretary", min_count=1),
    _rule("half_year_report", "R1", "半年報告", "Half-year report", "half_year",
          ("committee",), "secretary", min_count=1),
    _rule("assembly_report", "R2", "黨員大會報告", "Assembly report", "year", ("committee",),
          "secretary", min_count=1),
    _rule("analysis_half_year", "A2", "半年研判", "Half-year analysis", "half_year",
          ("committee",), "deputy", min_count=1),
    _rule("inspection_half_year", "I1", "半年督查", "Half-year inspection", "half_year",
          ("office",), "office", min_count=1),
    _rule("register_review", "P1", "陣地審查", "Platform review", "quarter",
          ("committee", "village", "station"),
          {"committee": "secretary", "village": "unit_head", "station": "unit_head"},
          min_count=1),
    _rule("assessment_annual", "M4", "年度考核", "Annual assessment", "year", ("office",),
          "office", min_count=1),
    _rule("major_situation", "R3", "重大情況報告", "Major situation report", "event",
          ("committee",), "secretary", deadline_hours=24),
    _rule("sensitive_date", "A3", "敏感節點研判", "Sensitive-date analysis", "event",
          ("committee",), "deputy", deadline_hours=-168),
    _rule("interview", "I3", "約談", "Interview", "event", ("village", "station"), "deputy",
          deadline_hours=360),
    _rule("rectification", "I1", "整改", "Rectification", "event", ("village", "station"),
          "unit_head", deadline_hours=720),
    _rule("incident_report", "P2", "事件報告", "Incident report", "event", ("committee",),
          "secretary", deadline_hours=2),
)
RULES_BY_KEY = {rule.key: rule for rule in RULES}
PERIODIC = tuple(rule for rule in RULES if rule.cadence != "event")

# Event rules: trigger type, triggers per year, and a deadline set by the record itself
# (a finding's rectification date, in days) instead of the rule's.
EVENTS = {
    "bench.major_situation": ("situation", 2, None),
    "bench.sensitive_date": ("sensitive_date", 4, None),
    "bench.interview": ("rating", 2, None),
    "bench.rectification": ("finding", 3, (15, 45)),
    "bench.incident_report": ("incident", 1, None),
}
SOURCE_TYPES = {
    "bench.secretary_special_study": "bench_study", "bench.branch_theory_study": "bench_study",
    "bench.branch_ideology_study": "bench_study", "bench.committee_special_meeting":
    "bench_meeting", "bench.half_year_report": "bench_report", "bench.assembly_report":
    "bench_report", "bench.analysis_half_year": "bench_analysis", "bench.inspection_half_year":
    "bench_inspection", "bench.register_review": "bench_review", "bench.assessment_annual":
    "bench_assessment", "bench.major_situation": "bench_report", "bench.sensitive_date":
    "bench_analysis", "bench.interview": "bench_interview", "bench.rectification":
    "bench_rectification", "bench.incident_report": "bench_report",
}


class BenchPlugin:
    """Rules only: no routes, tables or settings."""

    manifest = Manifest(name="bench", version="0.1", title=Label("基準測試", "Benchmark"))

    @hookimpl
    def register_rules(self):
        return list(RULES)


# --- one township -----------------------------------------------------------------------

OBL_COLS = ("tenant_id", "id", "rule_key", "unit_id", "slot", "period_start", "period_end",
            "due_at", "min_count", "source_clause", "rule_version", "responsible_role",
            "trigger_type", "trigger_id", "triggered_at", "waived_at", "waived_by",
            "waive_reason", "archived_at", "created_at", "updated_at", "counted")
FUL_COLS = ("tenant_id", "id", "rule_key", "unit_id", "occurred_at", "occurred_on",
            "source_type", "source_id", "obligation_id", "archived_at", "created_at",
            "updated_at")
# county_id (the township's county) is filled by the loaders, not generated
assert set(OBL_COLS) | {"county_id"} == {c.name for c in Obligation.__table__.c}, \
    "obligation columns changed"
assert set(FUL_COLS) | {"county_id"} == {c.name for c in Fulfilment.__table__.c}, \
    "fulfilment columns changed"
OI = {name: i for i, name in enumerate(OBL_COLS)}  # column positions
FI = {name: i for i, name in enumerate(FUL_COLS)}


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_SAFE = uuid.SafeUUID.unknown
_set = object.__setattr__


def uuid7_at(moment: dt.datetime, rng: random.Random) -> uuid.UUID:
    """A UUIDv7 for ``moment`` with random bits from ``rng``: time-ordered like core's
    ``new_id`` and reproducible from the seed."""
    ms = ((moment - _EPOCH) // _MS) & ((1 << 48) - 1)
    bits = rng.getrandbits(74)
    value = (ms << 80) | (0x7 << 76) | ((bits >> 62) << 64) | (0b10 << 62) \
        | (bits & ((1 << 62) - 1))
    # uuid.UUID(int=value) without its argument checks: millions of ids are made here
    made = object.__new__(uuid.UUID)
    _set(made, "int", value)
    _set(made, "is_safe", _SAFE)
    return made


_MS = dt.timedelta(milliseconds=1)


@dataclass
class Plan:
    """One township: who it is and its 30 units (id, code, kind)."""

    index: int
    seed: str
    tenant_id: uuid.UUID
    county_id: uuid.UUID
    slug: str
    units: list[tuple[uuid.UUID, str, str]]


def county_id_of(index: int) -> uuid.UUID:
    return uuid7_at(PROVISIONED - dt.timedelta(days=1, minutes=-index),
                    random.Random(f"county:{index}"))


@dataclass
class Trigger:
    """An event rule's trigger, to replay through ``open_event_obligation``."""

    rule_key: str
    unit_id: uuid.UUID
    trigger_type: str
    trigger_id: str
    triggered_at: dt.datetime
    due_at: dt.datetime | None  # set by the record (a finding's deadline), else the rule's


def _local(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours moment of a local day (08:00–20:59 in the township's zone)."""
    return dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randint(0, 59)), ZONE)


def _day_in(start: dt.date, end: dt.date, rng: random.Random) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


@functools.cache
def _periods(cadence: str) -> tuple[tuple[Period, dt.datetime, dt.datetime], ...]:
    """(period, due, materialised at) of a cadence over the 3 years, from zerenzhi's periods."""
    return tuple((period, period.due_at(TZ),
                  dt.datetime.combine(period.start, dt.time(0, 5), ZONE))
                 for period in periods_within(cadence, SPAN))


def generate(plan: Plan, *, waivers: bool = True, make_id=uuid7_at):
    """``(obligations, fulfilments, triggers)`` of one township: rows as tuples in
    ``OBL_COLS`` / ``FUL_COLS`` order with Python values (UUID, date, aware datetime)."""
    rng = random.Random(f"data:{plan.seed}")
    tenant = plan.tenant_id
    obligations, fulfilments, triggers = [], [], []
    now = NOW

    def entries(rule: RuleDef, unit_id, moments, obligation_id=None, not_before=None):
        for occurred in sorted(moments):
            if occurred >= now:
                continue  # the future has no evidence yet
            created = occurred + dt.timedelta(hours=1)
            if not_before is not None and created < not_before:
                created = not_before
            archived = None
            if rng.random() < 0.03:  # edited away later: stays in the ledger, counts nothing
                archived = occurred + dt.timedelta(days=3)
                if archived >= now:
                    archived = None
            fulfilments.append((
                tenant, make_id(created, rng), rule.key, unit_id, occurred.astimezone(UTC),
                occurred.date(), SOURCE_TYPES[rule.key], str(make_id(occurred, rng)),
                obligation_id, archived.astimezone(UTC) if archived else None,
                created.astimezone(UTC), (archived or created).astimezone(UTC)))

    for rule in PERIODIC:
        for period, due, created in _periods(rule.cadence):
            for unit_id, _code, kind in plan.units:
                if kind not in rule.applies_to:
                    continue
                oid = make_id(created, rng)
                waived = waivers and due < now and rng.random() < 0.01
                waived_at = (due - dt.timedelta(days=2)).astimezone(UTC) if waived else None
                obligations.append((
                    tenant, oid, rule.key, unit_id, period.label, period.start, period.end,
                    due.astimezone(UTC), rule.min_count, rule.source, "default",
                    rule.role_for(kind), None, None, None, waived_at,
                    make_id(created, rng) if waived else None,
                    "bench: waived" if waived else None, None, created.astimezone(UTC),
                    (waived_at or created.astimezone(UTC))))
                if waived:
                    continue
                need, roll = rule.min_count, rng.random()
                if roll < 0.75:  # met, sometimes more than asked
                    count = need + (rng.randint(0, 2) if need > 1 else int(rng.random() < 0.1))
                elif roll < 0.95:  # short
                    count = rng.randint(need // 2, need - 1)
                else:  # nothing at all
                    count = 0
                moments = [_local(_day_in(period.start, period.end, rng), rng)
                           for _ in range(count)]
                entries(rule, unit_id, moments)

    kinds = defaultdict(list)
    for unit_id, _code, kind in plan.units:
        kinds[kind].append(unit_id)
    for key, (trigger_type, per_year, own_deadline) in EVENTS.items():
        rule = RULES_BY_KEY[key]
        candidates = [u for kind in rule.applies_to for u in kinds[kind]]
        for year in range(SPAN.start.year, SPAN.end.year + 1):
            last = dt.date(year, 12, 31)
            # triggers happen in the past; sensitive dates are known two months ahead
            horizon = (now + dt.timedelta(days=60 if rule.deadline_hours < 0 else 0)).date()
            for _ in range(per_year):
                day = _day_in(dt.date(year, 1, 1), min(last, horizon - dt.timedelta(days=1)),
                              rng)
                if day.year != year:
                    continue
                at = _local(day, rng)
                if rule.deadline_hours > 0 and at >= now:
                    continue
                unit_id = rng.choice(candidates)
                trigger_id = str(make_id(at, rng))
                set_due = (at + dt.timedelta(days=rng.randint(*own_deadline))
                           if own_deadline else None)
                due = set_due or at + dt.timedelta(hours=rule.deadline_hours)
                created = at if rule.deadline_hours > 0 else at - dt.timedelta(days=30)
                unit_kind = next(k for u, _c, k in plan.units if u == unit_id)
                oid = make_id(created, rng)
                obligations.append((
                    tenant, oid, key, unit_id, f"{trigger_type}:{trigger_id}", due.date(),
                    due.date(), due.astimezone(UTC), 1, rule.source, "default",
                    rule.role_for(unit_kind), trigger_type, trigger_id, at.astimezone(UTC),
                    None, None, None, None, created.astimezone(UTC), created.astimezone(UTC)))
                triggers.append(Trigger(key, unit_id, trigger_type, trigger_id, at, set_due))
                roll = rng.random()
                if roll < 0.85:  # on time
                    span = max(int((due - created).total_seconds()), 60)
                    done = created + dt.timedelta(seconds=rng.randint(30, span - 30))
                elif roll < 0.93:  # late
                    done = due + dt.timedelta(hours=rng.randint(1, 120))
                else:
                    continue
                entries(rule, unit_id, [done.astimezone(ZONE)], obligation_id=oid,
                        not_before=created)
    return _with_counts(obligations, fulfilments), fulfilments, triggers


def _with_counts(obligations: list[tuple], fulfilments: list[tuple]) -> list[tuple]:
    """Each obligation row with its stored ``counted``, as core's tally keeps it (checked
    against the app's own rows for township 0, and the roll-ups against the ledger join)."""
    live = [(f[FI["rule_key"]], f[FI["unit_id"]], f[FI["occurred_on"]], f[FI["obligation_id"]])
            for f in fulfilments if f[FI["archived_at"]] is None]
    keys = ("id", "rule_key", "unit_id", "period_start", "period_end", "trigger_id")
    found = counts([tuple(o[OI[k]] for k in keys) for o in obligations], live)
    return [(*o, found[o[OI["id"]]]) for o in obligations]


# --- encoding for the two backends ----------------------------------------------------------
# Rows are encoded column by column with one function per column type, since millions of
# values pass through here.

def _nullable(encode, null):
    return lambda value: null if value is None else encode(value)


def _pg_datetime(value: dt.datetime) -> str:
    return value.isoformat()  # aware: the offset goes with it


def sqlite_datetime(value: dt.datetime) -> str:
    """As SQLAlchemy stores a UTC datetime on SQLite: naive, always with microseconds."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


_KINDS = {
    # kind: (PostgreSQL COPY text, SQLite value)
    "uuid": (str, lambda value: value.hex),
    "date": (dt.date.isoformat, dt.date.isoformat),
    "datetime": (_pg_datetime, sqlite_datetime),
    "text": (lambda value: value, lambda value: value),  # no tab, newline or backslash
    "int": (str, lambda value: value),
    "bool": (lambda value: "t" if value else "f", int),
    "json": (lambda value: json.dumps(value).replace("\\", "\\\\"), json.dumps),
}


def _kind(column) -> str:
    from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, Uuid
    from sqlalchemy.types import TypeDecorator

    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, Uuid):
        return "uuid"
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, Integer):
        return "int"
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, DateTime):
        return "datetime"
    return "text"


@functools.cache
def _encoders(table: str, cols: tuple[str, ...], backend: str):
    from zerenzhi.db.base import Base

    columns = Base.metadata.tables[table].c
    position = 0 if backend == "postgresql" else 1
    null = "\\N" if backend == "postgresql" else None
    return tuple(_nullable(_KINDS[_kind(columns[name])][position], null) for name in cols)


def pg_copy_text(table: str, cols, rows) -> bytes:
    encoders = _encoders(table, tuple(cols), "postgresql")
    return "".join(["\t".join([f(v) for f, v in zip(encoders, row, strict=True)]) + "\n"
                    for row in rows]).encode()


def sqlite_rows(table: str, cols, rows) -> list[tuple]:
    encoders = _encoders(table, tuple(cols), "sqlite")
    return [tuple([f(v) for f, v in zip(encoders, row, strict=True)]) for row in rows]


ENCODERS = {
    "postgresql": pg_copy_text,
    "sqlite": lambda table, cols, rows: pickle.dumps(sqlite_rows(table, cols, rows), 5),
}

# --- provisioning rows (tenants, units, plugin state) ------------------------------------

TENANT_COLS = ("id", "kind", "slug", "name", "name_en", "county_id", "timezone", "created_at",
               "archived_at")
UNIT_COLS = ("tenant_id", "id", "code", "name", "kind", "parent_id", "archived_at",
             "created_at", "updated_at")
PLUGIN_COLS = ("tenant_id", "id", "plugin", "enabled", "settings", "settings_version",
               "problem", "created_at", "updated_at")


def county_row(index: int):
    return (county_id_of(index), "county", f"bench-county-{index:04d}", f"基準縣{index}",
            None, None, TZ, PROVISIONED.astimezone(UTC), None)


def township_row(plan: Plan):
    return (plan.tenant_id, "township", plan.slug, f"基準鎮{plan.index}", None,
            plan.county_id, TZ, PROVISIONED.astimezone(UTC), None)


def unit_rows(plan: Plan):
    root = plan.units[0][0]
    at = PROVISIONED.astimezone(UTC)
    return [(plan.tenant_id, unit_id, code, f"{UNIT_NAMES[kind]}{code}", kind,
             None if unit_id == root else root, None, at, at)
            for unit_id, code, kind in plan.units]


def plugin_rows(plan: Plan):
    at = PROVISIONED.astimezone(UTC)
    rng = random.Random(f"plugin:{plan.tenant_id}")
    return [(plan.tenant_id, uuid7_at(PROVISIONED, rng), "bench", True, {}, 1, None, at, at)]


# --- templates: many townships from a few generated ones ---------------------------------
#
# Generating and encoding ~1,000 rows per township in Python costs ~40 ms, i.e. minutes for
# 3,000 townships. Instead, K template townships are generated once, every UUID in them
# ending in the same 8 hex digits (``MARKER``); a bulk township is template ``i % K`` with
# the marker replaced by its own index (``i:08x``) in the encoded chunks — one bytes
# ``replace`` per chunk. Ids stay unique UUIDv7s (time-ordered prefix, township suffix),
# references stay consistent (an entry's obligation id, a slot's trigger id), and the
# data mix is K independent draws. The probe township has its own template.

MARKER = "c0ffee5d"
_MARKER_INT = int(MARKER, 16)


def _marked_id(moment: dt.datetime, rng: random.Random) -> uuid.UUID:
    made = object.__new__(uuid.UUID)
    _set(made, "int", (uuid7_at(moment, rng).int & ~0xFFFFFFFF) | _MARKER_INT)
    _set(made, "is_safe", _SAFE)
    return made


def with_suffix(value: uuid.UUID, index: int) -> uuid.UUID:
    return uuid.UUID(int=(value.int & ~0xFFFFFFFF) | index)


def _month(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


class Template:
    """A generated township whose ids all end in ``MARKER``, encoded per backend and cut
    into monthly chunks (by when each row was created)."""

    def __init__(self, seed: str, backends: tuple[str, ...]) -> None:
        self.seed = seed
        rng = random.Random(f"ids:{seed}")
        self.tenant_id = _marked_id(PROVISIONED, rng)
        units = [(_marked_id(PROVISIONED, rng), code, kind) for code, kind in UNITS]
        plan = Plan(-1, seed, self.tenant_id, self.tenant_id, f"template-{seed}", units)
        self.units = units
        obligations, fulfilments, _triggers = generate(plan, make_id=_marked_id)
        self.rows = (len(obligations), len(fulfilments))
        _check_marker(obligations, OBL_COLS, "obligation")
        _check_marker(fulfilments, FUL_COLS, "fulfilment")
        by_month: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
        for row in obligations:
            by_month[_month(row[OI["created_at"]])][0].append(row)
        for row in fulfilments:
            by_month[_month(row[FI["created_at"]])][1].append(row)
        self.months = sorted(by_month)
        self.chunks = {
            backend: {month: (ENCODERS[backend]("obligation", OBL_COLS, obl) if obl else None,
                              ENCODERS[backend]("fulfilment", FUL_COLS, ful) if ful else None)
                      for month, (obl, ful) in by_month.items()}
            for backend in backends
        }
        self.stats = {
            "obligations_2026H1": sum(
                1 for r in obligations if r[OI["period_end"]] >= dt.date(2026, 1, 1)
                and r[OI["period_start"]] <= dt.date(2026, 6, 30)),
        }

    def plan(self, index: int, county_id: uuid.UUID) -> Plan:
        return Plan(index, self.seed, with_suffix(self.tenant_id, index), county_id,
                    f"bench-{index:05d}",
                    [(with_suffix(u, index), code, kind) for u, code, kind in self.units])


def _check_marker(rows, cols, table) -> None:
    """Every occurrence of the marker in the encoded rows is an id's suffix, so replacing
    it can only change ids."""
    expected = 0
    for row in rows:
        for value in row:
            if isinstance(value, uuid.UUID):
                expected += 1
            elif isinstance(value, str):
                expected += value.count(MARKER)
    for backend in ENCODERS:
        if backend == "postgresql":
            found = pg_copy_text(table, cols, rows).count(MARKER.encode())
        else:
            found = sum(str(v).count(MARKER) for row in sqlite_rows(table, cols, rows)
                        for v in row)
        if found != expected:
            raise AssertionError(f"{table}: marker found {found} times, expected {expected}")


@dataclass
class Township:
    plan: Plan
    template: Template


def chunks(townships: list[Township], backend: str
           ) -> Iterator[tuple[str, uuid.UUID, bytes | None, bytes | None]]:
    """(month, tenant_id, obligations, fulfilments) payloads: month by month, and within a month
    township by township, as three years of townships working side by side would have
    written them."""
    marker = MARKER.encode()
    months = sorted({m for t in townships for m in t.template.months})
    for month in months:
        for township in townships:
            obl, ful = township.template.chunks[backend].get(month, (None, None))
            if obl is None and ful is None:
                continue
            suffix = f"{township.plan.index:08x}".encode()
            # same length, so this is safe inside pickled SQLite rows as well
            yield (month, township.plan.tenant_id, obl and obl.replace(marker, suffix),
                   ful and ful.replace(marker, suffix))


# --- loaders ----------------------------------------------------------------------------------

# PostgreSQL refuses COPY FROM into a table whose row-level security applies to the
# current role ("COPY FROM not supported with row-level security"), and FORCE makes it
# apply to the owner. So rows are COPYed into session-local staging tables (no RLS), then
# moved township by township by a temporary function that does, per township, what the
# app does per transaction: set app.tenant_id locally (set_config(..., true) is SET LOCAL)
# and INSERT, so the policies' WITH CHECK passes. FORCE stays on throughout.
MOVE_FUNCTION = """
CREATE FUNCTION pg_temp.bench_move(target text, stage text, tenants uuid[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  t uuid;
  n bigint;
  moved bigint := 0;
BEGIN
  FOREACH t IN ARRAY tenants LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    EXECUTE format('INSERT INTO %I SELECT * FROM %I WHERE tenant_id = $1', target, stage)
      USING t;
    GET DIAGNOSTICS n = ROW_COUNT;
    -- what the app's scoping stamps on insert: the township's county (county read policy)
    EXECUTE format('UPDATE %I SET county_id = (SELECT county_id FROM tenant WHERE id = $1) '
                   'WHERE tenant_id = $1 AND county_id IS NULL', target) USING t;
    moved := moved + n;
  END LOOP;
  EXECUTE format('TRUNCATE %I', stage);
  RETURN moved;
END $$
"""
STAGED = ("org_unit", "tenant_plugin", "obligation", "fulfilment")

# ObligationCount's rows for the loaded obligations, as migration 0017 fills them (the app
# keeps them in its writing transactions; the loaders write around it). {id}: a new id.
TALLY = """
INSERT INTO obligation_count (tenant_id, id, county_id, rule_key, period_start, period_end,
                              due_at, outcome, n)
SELECT tenant_id, {id}, county_id, rule_key, period_start, period_end, due_at,
       CASE WHEN waived_at IS NOT NULL THEN 'waived'
            WHEN counted >= min_count THEN 'met' ELSE 'owed' END, count(*)
FROM obligation WHERE archived_at IS NULL
  AND tenant_id NOT IN (SELECT tenant_id FROM obligation_count)  -- township 0: the app's own
GROUP BY tenant_id, county_id, rule_key, period_start, period_end, due_at, 8
"""


class PgLoader:
    """COPY as the owner role into staging tables, then moved per township under
    ``SET LOCAL app.tenant_id`` (see MOVE_FUNCTION), month by month."""

    def __init__(self, conninfo: str) -> None:
        import psycopg

        self.conn = psycopg.connect(conninfo)
        for table in STAGED:
            self.conn.execute(f'CREATE TEMP TABLE "stage_{table}" (LIKE "{table}")')
            self.conn.execute(f'CREATE INDEX ON "stage_{table}" (tenant_id)')
        self.conn.execute(MOVE_FUNCTION)
        self.conn.commit()

    def _copy(self, cur, table: str, cols, payloads) -> int:
        with cur.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as copy:
            for payload in payloads:
                copy.write(payload)
        return cur.rowcount

    def _stage_and_move(self, cur, table: str, cols, tenants: list, payloads: list) -> None:
        copied = self._copy(cur, f"stage_{table}", cols, payloads)
        cur.execute("SELECT pg_temp.bench_move(%s, %s, %s)", (table, f"stage_{table}", tenants))
        moved = cur.fetchone()[0]
        if moved != copied:
            raise AssertionError(f"{table}: staged {copied} rows, moved {moved}")

    def provision(self, counties: list, plans: list[Plan]) -> None:
        tenants = [p.tenant_id for p in plans]
        with self.conn.cursor() as cur:
            self._copy(cur, "tenant", TENANT_COLS, [pg_copy_text(
                "tenant", TENANT_COLS, counties + [township_row(p) for p in plans])])
            self._stage_and_move(cur, "org_unit", UNIT_COLS, tenants,
                                 [pg_copy_text("org_unit", UNIT_COLS, unit_rows(p))
                                  for p in plans])
            self._stage_and_move(cur, "tenant_plugin", PLUGIN_COLS, tenants,
                                 [pg_copy_text("tenant_plugin", PLUGIN_COLS, plugin_rows(p))
                                  for p in plans])
        self.conn.commit()

    def load(self, payloads) -> None:
        """``(month, tenant_id, obligations, fulfilments)`` chunks, month by month."""

        def flush(tenants, obligations, fulfilments):
            with self.conn.cursor() as cur:
                if obligations:
                    self._stage_and_move(cur, "obligation", OBL_COLS, tenants, obligations)
                if fulfilments:
                    self._stage_and_move(cur, "fulfilment", FUL_COLS, tenants, fulfilments)
            self.conn.commit()

        current, tenants, obligations, fulfilments = None, [], [], []
        for month, tenant_id, obl, ful in payloads:
            if month != current:
                flush(tenants, obligations, fulfilments)
                current, tenants, obligations, fulfilments = month, [], [], []
            tenants.append(tenant_id)
            if obl:
                obligations.append(obl)
            if ful:
                fulfilments.append(ful)
        flush(tenants, obligations, fulfilments)

    def tally(self) -> None:
        """ObligationCount's rows (TALLY), as the owner with FORCE lifted meanwhile."""
        for table in ("obligation", "obligation_count"):
            self.conn.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        self.conn.execute(TALLY.format(id="gen_random_uuid()"))
        for table in ("obligation", "obligation_count"):
            self.conn.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        self.conn.commit()

    def vacuum_analyze(self) -> None:
        self.conn.autocommit = True
        for table in ("tenant", "org_unit", "tenant_plugin", "obligation", "fulfilment",
                      "obligation_count"):
            self.conn.execute(f'VACUUM (ANALYZE) "{table}"')
        self.conn.autocommit = False

    def close(self) -> None:
        self.conn.close()


class SqliteLoader:
    """executemany on one connection, in the same (month, township) order."""

    def __init__(self, path: str) -> None:
        import sqlite3

        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=OFF")

    def _insert(self, table: str, cols, rows) -> None:
        marks = ", ".join("?" * len(cols))
        self.conn.executemany(f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({marks})', rows)

    def provision(self, counties: list, plans: list[Plan]) -> None:
        self._insert("tenant", TENANT_COLS, sqlite_rows(
            "tenant", TENANT_COLS, counties + [township_row(p) for p in plans]))
        for plan in plans:
            self._insert("org_unit", UNIT_COLS,
                         sqlite_rows("org_unit", UNIT_COLS, unit_rows(plan)))
            self._insert("tenant_plugin", PLUGIN_COLS,
                         sqlite_rows("tenant_plugin", PLUGIN_COLS, plugin_rows(plan)))
        self.conn.commit()

    def load(self, payloads) -> None:
        for count, (_month, _tenant_id, obl, ful) in enumerate(payloads, 1):
            if obl:
                self._insert("obligation", OBL_COLS, pickle.loads(obl))
            if ful:
                self._insert("fulfilment", FUL_COLS, pickle.loads(ful))
            if count % 5000 == 0:
                self.conn.commit()
        self.conn.commit()

    def tally(self) -> None:
        """ObligationCount's rows (TALLY); ids as SQLite's Uuid type stores them."""
        self.conn.execute(TALLY.format(id="lower(hex(randomblob(16)))"))
        self.conn.commit()

    def vacuum_analyze(self) -> None:
        """The app never runs ANALYZE on SQLite, so neither does the benchmark by default."""
        self.conn.execute("ANALYZE")
        self.conn.commit()

    def close(self) -> None:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()
