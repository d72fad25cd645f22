"""Benchmark: the county roll-ups (issue 8, item 5) against the bare SQL aggregate on the same
data in the same process.

    .venv/bin/python bench/rollup.py [--sizes 30,300,3000] [--backends sqlite,postgresql]
        [--repeat 10] [--explain]

For each size N and backend a fresh database is migrated with core's runner and filled by
``bench/obligations.py``'s builder (``datagen``'s generator and bulk loaders; township 0 made
through core's own code and compared row by row) — except that **all N townships belong to
ONE county** (a "province" of 3,000 townships is modelled as one county of 3,000), so the
county roll-up covers every one of them. Then, inside ``county_read_scope(county)`` with the
app's engine (PostgreSQL: connected as ``zz_app``, so the after_begin ``SET LOCAL``s, the
ORM's county criteria and the county RLS policy are all in the path), median of
``--repeat`` runs, variants taking turns:

  compliance.service  zerenzhi.rollups.service.compliance(2026H1) — what the route calls
  compliance.query    session.execute(queries.compliance(2026H1)) in a fresh session
  overdue.service     service.overdue(limit=50): townships, count, first page of 50
  overdue.query       the first page of queries.overdue() (50 rows)
  trend.service       service.trend(2025H1..2026H2)
  trend.query         session.execute(queries.trend(2025-01-01, 2026-12-31))

and the floor: a hand-written statement per view — obligations LEFT JOIN fulfilment, GROUP
BY the obligation for its count and status, then GROUP BY tenant_id, rule_key, status
(compliance) or tenant_id, period, status (trend), or the overdue filter + org_unit join +
ORDER BY/LIMIT 50 and its count (overdue) — through a raw DB-API cursor as the owner role
(PostgreSQL: RLS FORCEd, ``app.tenant_id``/``app.county_id`` set for the session as the
app's SET LOCALs would); on PostgreSQL also as the superuser (no RLS) and the app's own SQL
text on a raw ``zz_app`` connection. The app's rows are checked equal to the floor's before
anything is timed.

Benchmarks are not part of the test run (docs/architecture.md, Tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import signal
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import datagen as dg  # noqa: E402  (the generator and loaders; not copied)
import obligations as ob  # noqa: E402  (its database builder, timing and capture helpers)

from zerenzhi.db.session import COUNTY_READ_SETTINGS  # noqa: E402
from zerenzhi.obligations.periods import Period, parse_period, periods_within  # noqa: E402

H1 = parse_period("2026H1")
TREND_FROM, TREND_TO = parse_period("2025H1"), parse_period("2026H2")
NOW = dg.NOW.astimezone(dt.UTC)
SOON = NOW + dt.timedelta(days=14)  # status_query's default due_soon_days
PAGE = 50
COUNTY_INDEX = 0
VIEWS = ("compliance.query", "compliance.service", "overdue.query", "overdue.service",
         "trend.query", "trend.service")
log = ob.log

# --- the floor ---------------------------------------------------------------------------------
# Hand-written over the same schema: obligations of the county's live townships by their
# stored count (``counted``, kept by zerenzhi.obligations.tally) with the status as a CASE of the
# same rules as core's status_case.
COUNTY = """o.tenant_id IN (SELECT id FROM tenant WHERE county_id = {county}
                      AND kind = 'township' AND archived_at IS NULL)"""
OWED = ("o.archived_at IS NULL AND o.waived_at IS NULL AND o.counted < o.min_count "
        "AND o.due_at <= {now}")
# the same outcomes summed from the stored counts (obligation_count, decision 0033), which
# compliance and trend read since: the floor is the best statement over the same schema
COUNTED = """sum(o.n) AS total,
  coalesce(sum(o.n) FILTER (WHERE o.outcome = 'waived'), 0) AS waived,
  coalesce(sum(o.n) FILTER (WHERE o.outcome = 'met'), 0) AS done,
  coalesce(sum(o.n) FILTER (WHERE o.outcome = 'owed' AND o.due_at <= {now}), 0) AS overdue"""
BARE = {
    "compliance": f"SELECT o.tenant_id, o.rule_key, {COUNTED} "
                  f"FROM obligation_count o WHERE {COUNTY} "
                  "AND o.period_end >= {start} AND o.period_start <= {end} GROUP BY 1, 2 "
                  "HAVING sum(o.n) > 0 ORDER BY 1, 2",
    # grouped by the half-years the period starts and ends in ({half_start}, {half_end}:
    # year * 2 + (month > 6), spelled per backend)
    "trend": "SELECT o.tenant_id, {half_start} AS first_half, {half_end} AS last_half, "
             f"{COUNTED} FROM obligation_count o WHERE {COUNTY} "
             "AND o.period_end >= {tstart} "
             "AND o.period_start <= {tend} GROUP BY 1, 2, 3 HAVING sum(o.n) > 0 ORDER BY 1",
    # one pass: the page and the number of rows in all (count(*) OVER ()), units joined to
    # the page only
    "overdue": "SELECT s.id, s.tenant_id, s.counted, s.total, u.code, u.name FROM ("
               "SELECT o.id, o.tenant_id, o.unit_id, o.counted, o.due_at, "
               f"count(*) OVER () AS total FROM obligation o WHERE {COUNTY} AND {OWED} "
               f"ORDER BY o.due_at, o.tenant_id, o.id LIMIT {PAGE}) s "
               "JOIN org_unit u ON u.tenant_id = s.tenant_id AND u.id = s.unit_id "
               "ORDER BY s.due_at, s.tenant_id, s.id",
}
# The same views recomputed from the ledger (obligations LEFT JOIN fulfilment, as before
# the stored count): the stored counts' answers must equal these before anything is timed,
# and compliance is timed this way too, to show what the stored count saves.
PER_OBLIGATION = """
SELECT o.tenant_id, o.id, o.rule_key, o.unit_id, o.period_start, o.period_end, o.due_at,
       o.min_count, count(f.id) AS done,
       CASE WHEN o.waived_at IS NOT NULL THEN 'waived'
            WHEN count(f.id) >= o.min_count THEN 'fulfilled'
            WHEN o.due_at <= {now} THEN 'overdue'
            WHEN o.due_at <= {soon} THEN 'due_soon'
            ELSE 'upcoming' END AS status
""" + ob.BARE_JOIN + f"""
WHERE {COUNTY}
  AND o.archived_at IS NULL AND {{window}}
GROUP BY o.tenant_id, o.id"""
LEDGER = {
    "compliance": "SELECT tenant_id, rule_key, status, count(*) AS n FROM ("
                  + PER_OBLIGATION.replace("{window}", "o.period_end >= {start} AND "
                                                       "o.period_start <= {end}")
                  + ") s GROUP BY tenant_id, rule_key, status",
    "trend": "SELECT tenant_id, period_start, period_end, status, count(*) AS n FROM ("
             + PER_OBLIGATION.replace("{window}", "o.period_end >= {tstart} AND "
                                                  "o.period_start <= {tend}")
             + ") s GROUP BY tenant_id, period_start, period_end, status",
    "overdue": "SELECT s.id, s.tenant_id, s.done FROM ("
               + PER_OBLIGATION.replace("{window}", "o.due_at <= {now}")
               + ") s WHERE s.status = 'overdue' ORDER BY s.due_at, s.tenant_id, s.id",
}
NAMES = ("now", "soon", "county", "start", "end", "tstart", "tend")
HALF = {"postgresql": "(EXTRACT(YEAR FROM {c}) * 2 + CASE WHEN EXTRACT(MONTH FROM {c}) > 6 "
                      "THEN 1 ELSE 0 END)",
        "sqlite": "(CAST(strftime('%Y', {c}) AS INTEGER) * 2 + CASE WHEN "
                  "CAST(strftime('%m', {c}) AS INTEGER) > 6 THEN 1 ELSE 0 END)"}


def half_of(day: dt.date) -> int:
    return day.year * 2 + (day.month > 6)


def ledger_outcomes(rows) -> dict:
    """(total, waived, done, overdue) per group from the ledger recomputation's
    (group, status, n) rows, to compare with the app's one-row-per-group answers."""
    table: dict = {}
    for key, status, n in rows:
        total, waived, done, overdue = table.get(key, (0, 0, 0, 0))
        table[key] = (total + n, waived + n * (status == "waived"),
                      done + n * (status == "fulfilled"), overdue + n * (status == "overdue"))
    return table


class _InTransaction:
    """A connection whose cursors run each statement in a transaction that first sends the
    county's ``SET LOCAL``s, as the app does: on Citus, session settings stay on the
    coordinator and the shards' policies would see none."""

    def __init__(self, conn, settings: str) -> None:
        self.conn, self.settings = conn, settings

    def cursor(self):
        return _Cursor(self)

    def close(self) -> None:
        self.conn.close()


class _Cursor:
    def __init__(self, owner: _InTransaction) -> None:
        self.owner, self.cur = owner, owner.conn.cursor()

    def execute(self, statement, parameters=None):
        with self.owner.conn.transaction():
            self.cur.execute(self.owner.settings)
            self.cur.execute(statement, parameters)

    def fetchall(self):
        return self.cur.fetchall()

    def fetchone(self):
        return self.cur.fetchone()


class Floor:
    """The bare statements on raw DB-API connections: as the owner (RLS on), as the superuser
    (PostgreSQL, no RLS) and the app's captured SQL as zz_app."""

    def __init__(self, db: ob.Database, county_id: uuid.UUID) -> None:
        self.backend = db.backend
        self.norls = self.app_conn = None
        if db.backend == "postgresql":
            import psycopg

            with psycopg.connect(**db.conninfo["superuser"]) as conn:
                townships = conn.execute("SELECT coalesce(array_agg(id::text ORDER BY id), "
                                         "'{}') FROM tenant WHERE county_id = %s",
                                         (county_id,)).fetchone()[0]
            # what county_read_scope sets (decision 0029: the township ids, not a subquery)
            settings = {"app.tenant_id": str(county_id), "app.county_id": str(county_id),
                        "app.county_townships": "{" + ",".join(townships) + "}",
                        **COUNTY_READ_SETTINGS}

            def connect(who):
                conn = psycopg.connect(**db.conninfo[who], autocommit=True)
                for name, value in settings.items():
                    conn.execute("SELECT set_config(%s, %s, false)", (name, value))
                return conn

            self.conn, self.norls, self.app_conn = (connect("owner"), connect("superuser"),
                                                    connect("app"))
            if db.flavour == "citus":  # only SET LOCAL reaches the workers
                local = "; ".join(f"SET LOCAL {name} = '{value}'"
                                  for name, value in settings.items())
                self.conn, self.norls, self.app_conn = (
                    _InTransaction(conn, local) for conn in (self.conn, self.norls,
                                                             self.app_conn))
            self.params = {"now": NOW, "soon": SOON, "county": county_id, "start": H1.start,
                           "end": H1.end, "tstart": TREND_FROM.start, "tend": TREND_TO.end}
            marks = {n: f"%({n})s" for n in NAMES}
        else:
            import sqlite3

            self.conn = sqlite3.connect(str(db.path))
            self.app_conn = sqlite3.connect(str(db.path))
            stamp = dg.sqlite_datetime
            self.params = {"now": stamp(NOW), "soon": stamp(SOON), "county": county_id.hex,
                           "start": H1.start.isoformat(), "end": H1.end.isoformat(),
                           "tstart": TREND_FROM.start.isoformat(),
                           "tend": TREND_TO.end.isoformat()}
            marks = {n: f":{n}" for n in NAMES}
        half = HALF[db.backend]
        marks |= {"half_start": half.format(c="o.period_start"),
                  "half_end": half.format(c="o.period_end")}
        self.sql = {name: text.format(**marks) for name, text in BARE.items()}
        self.ledger_sql = {name: text.format(**marks) for name, text in LEDGER.items()}
        self.cur = self.conn.cursor()
        self.norls_cur = self.norls.cursor() if self.norls is not None else None
        self.app_cur = self.app_conn.cursor()
        self.app_sql: dict[str, tuple[str, object]] = {}

    def run(self, name: str, cur=None):
        cur = cur or self.cur
        cur.execute(self.sql[name], self.params)
        return cur.fetchall()

    def ledger(self, name: str):
        self.cur.execute(self.ledger_sql[name], self.params)
        return self.cur.fetchall()

    def runner(self, view: str, cur=None):
        return lambda: self.run(view, cur)

    def app_runner(self, view: str):
        statement, parameters = self.app_sql[view]

        def run():
            self.app_cur.execute(statement, parameters)
            return self.app_cur.fetchall()
        return run

    def server_side(self, repeat: int) -> dict[str, tuple[float, float, int]]:
        """PostgreSQL's own account: median planning and execution ms and buffers touched,
        from EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) — free of client and scheduling noise."""
        result = {}
        jobs = [(f"sql.{v}", self.app_cur, *self.app_sql[v]) for v in self.app_sql]
        jobs += [(f"bare.{v}", self.cur, self.sql[v], self.params)
                 for v in ("compliance", "overdue", "trend")]
        for name, cur, statement, parameters in jobs:
            plans, executions, buffers = [], [], 0
            for _ in range(repeat):
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) " + statement,
                            parameters)
                doc = cur.fetchone()[0]
                doc = (json.loads(doc) if isinstance(doc, str) else doc)[0]
                plans.append(doc["Planning Time"])
                executions.append(doc["Execution Time"])
                top = doc["Plan"]
                buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
            result[name] = (statistics.median(plans), statistics.median(executions), buffers)
        return result

    def explain(self, prefix: str, statement: str, parameters):
        cur = self.app_cur if statement in (s for s, _ in self.app_sql.values()) else self.cur
        cur.execute(prefix + statement, parameters)
        return cur.fetchall()

    def close(self) -> None:
        for conn in (self.conn, self.norls, self.app_conn):
            if conn is not None:
                conn.close()


def _id(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=value)


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# --- timing ----------------------------------------------------------------------------------

def time_adaptive(variants: dict, repeat: int, warmup: int, budget_s: float
                  ) -> tuple[dict[str, float], int]:
    """ob.time_interleaved, with the number of runs cut so the whole batch stays within
    ``budget_s`` (3,000 townships: a run of every variant takes seconds). Returns medians and
    the number of timed runs."""
    started = time.perf_counter()
    for run in variants.values():
        run()
    once = time.perf_counter() - started
    runs = max(3, min(repeat, int(budget_s / max(once, 1e-6))))
    medians, _cpu = ob.time_interleaved(variants, runs, max(0, warmup - 1))
    # (the first round above is the warm-up when warmup is 1)
    return medians, runs


@dataclass
class Result:
    size: int
    backend: str
    view: str
    app_ms: float
    bare_ms: float
    norls_ms: float | None
    sql_ms: float | None
    rows: int
    runs: int
    ledger_ms: float | None = None

    @property
    def ratio(self) -> float:
        return self.app_ms / self.bare_ms


class RollupBench(ob.Bench):
    """obligations.py's builder, with every township in one county."""

    def __init__(self, args) -> None:
        super().__init__(args)
        self.rollup_results: list[Result] = []
        self.server_rows: list[tuple[int, dict]] = []
        self.notes: list[str] = []

    def layout(self, size: int):
        if size < 3:
            raise SystemExit("sizes start at 3 townships")
        templates = self.templates()
        county = dg.county_id_of(COUNTY_INDEX)
        probe_index = size // 2
        townships = []
        for index in range(1, size):
            template = self._probe if index == probe_index else templates[index % len(templates)]
            townships.append(dg.Township(template.plan(index, county), template))
        probe = next(t for t in townships if t.plan.index == probe_index)
        return [dg.county_row(COUNTY_INDEX)], townships, probe

    def measure(self, app, db: ob.Database, probe: dg.Township) -> None:
        from zerenzhi.rollups import queries, service
        from zerenzhi.tenancy.context import TenantRef, county_read_scope

        sessions = app.extensions["zerenzhi"].db.Session
        county_id = dg.county_id_of(COUNTY_INDEX)
        county = TenantRef(county_id, "county", f"bench-county-{COUNTY_INDEX:04d}", None, dg.TZ)
        periods = periods_within("half_year", Period(TREND_FROM.start, TREND_TO.end,
                                                     "window", ""))
        floor = Floor(db, county_id)

        # Each run ends as a request does (zerenzhi.db.session.close_session): a transaction that
        # only read is committed, so psycopg keeps its prepared statements (a ROLLBACK drops
        # them, and every run would be parsed and planned afresh; the floor's connection
        # keeps them too).
        def in_county(work):
            def run():
                with sessions() as session, county_read_scope(county):
                    result = work(session)
                    session.commit()
                    return result
            return run

        def plain(work):  # the service enters county_read_scope itself
            def run():
                with sessions() as session:
                    result = work(session)
                    session.commit()
                    return result
            return run

        app_runs = {
            "compliance.query": in_county(
                lambda s: s.execute(queries.compliance(H1, NOW)).all()),
            "compliance.service": plain(lambda s: service.compliance(s, county, H1, NOW)),
            "overdue.query": in_county(
                lambda s: s.execute(queries.page(queries.overdue(NOW), PAGE, 0)).all()),
            "overdue.service": plain(lambda s: service.overdue(s, county, NOW, limit=PAGE)),
            "trend.query": in_county(lambda s: s.execute(
                queries.trend(TREND_FROM.start, TREND_TO.end, NOW)).all()),
            "trend.service": plain(lambda s: service.trend(s, county, periods, NOW)),
        }
        with app.app_context():
            # the app, the floor and the ledger recomputation agree before anything is timed
            app_c = {(_id(t), r): tuple(c) for t, packed in app_runs["compliance.query"]()
                     for r, *c in packed}
            bare_c = {(_id(t), r): tuple(c) for t, r, *c in floor.run("compliance")}
            ledger_c = ledger_outcomes(((_id(t), r), st, n)
                                       for t, r, st, n in floor.ledger("compliance"))
            for name, other in (("bare", bare_c), ("ledger", ledger_c)):
                if app_c != other:
                    raise AssertionError(f"compliance: app and {name} disagree "
                                         f"({len(app_c)} vs {len(other)} groups)")
            app_t = {(_id(t), int(a), int(b)): tuple(c)
                     for t, spans in app_runs["trend.query"]() for a, b, *c in spans}
            bare_t = {(_id(t), int(a), int(b)): tuple(c) for t, a, b, *c in floor.run("trend")}
            ledger_t = ledger_outcomes(((_id(t), half_of(_day(a)), half_of(_day(b))), st, n)
                                       for t, a, b, st, n in floor.ledger("trend"))
            for name, other in (("bare", bare_t), ("ledger", ledger_t)):
                if app_t != other:
                    raise AssertionError(f"trend: app and {name} disagree")
            items, total = app_runs["overdue.service"]()
            bare_page = floor.run("overdue")
            owed = floor.ledger("overdue")
            mine = [(i["obligation_id"], i["done"]) for i in items]
            if (total != bare_page[0][3] or total != len(owed)
                    or mine != [(_id(r[0]), r[2]) for r in bare_page]
                    or mine != [(_id(r[0]), r[2]) for r in owed[:PAGE]]):
                raise AssertionError(f"overdue: app, bare and ledger disagree ({total} vs "
                                     f"{bare_page[0][3]} vs {len(owed)})")
            towns = len({t for t, _r in app_c})
            compliance = app_runs["compliance.service"]()
            counts = {"compliance": sum(c[0] for c in app_c.values()), "overdue": len(items),
                      "trend": sum(c[0] for c in app_t.values())}
            log(f"{db.backend} {db.size}: county of {towns} townships with obligations in "
                f"2026H1, {counts['compliance']:,} obligations, {total:,} overdue overall, "
                f"county rate {compliance['totals']['rate']}")

            for view in ("compliance", "overdue", "trend"):
                floor.app_sql[view] = ob_captured(app, app_runs[f"{view}.query"])

            variants = dict(app_runs)
            variants["ledger.compliance"] = lambda: floor.ledger("compliance")
            for view in ("compliance", "overdue", "trend"):
                variants[f"bare.{view}"] = floor.runner(view)
                variants[f"sql.{view}"] = floor.app_runner(view)
                if floor.norls_cur is not None and db.size < self.args.norls_below:
                    variants[f"norls.{view}"] = floor.runner(view, floor.norls_cur)
            # a served process holds the app, not the generator's millions of rows: keep
            # them out of the garbage collector's full passes, which the app's result rows
            # would otherwise trigger over the whole heap
            gc.collect()
            gc.freeze()
            log(f"{db.label} {db.size}: timing {len(variants)} variants")
            medians, runs = time_adaptive(variants, self.args.repeat, self.args.warmup,
                                          self.args.budget)
            for view in VIEWS:
                kind = view.split(".")[0]
                self.rollup_results.append(Result(
                    db.size, db.label, view, medians[view], medians[f"bare.{kind}"],
                    medians.get(f"norls.{kind}"),
                    medians[f"sql.{kind}"] if view.endswith(".query") else None,
                    counts[kind], runs,
                    medians.get("ledger.compliance") if kind == "compliance" else None))
            if db.backend == "postgresql":
                self.server_rows.append((db.size, floor.server_side(
                    1 if db.size >= self.args.norls_below else max(3, min(runs, 5)))))
            if self.args.explain and db.size == max(self.args.sizes):
                prefix = ("EXPLAIN (ANALYZE, BUFFERS) " if db.backend == "postgresql"
                          else "EXPLAIN QUERY PLAN ")
                for view in ("compliance", "overdue", "trend"):
                    statement, parameters = floor.app_sql[view]
                    plan = floor.explain(prefix, statement, parameters)
                    self.explains.append((f"{db.backend} {db.size} townships, {view}: the "
                                          f"app's SQL (as {db.role or 'file owner'})",
                                          statement + "\n" + ob.format_plan(db.backend, plan)))
                    plan = floor.explain(prefix, floor.sql[view], floor.params)
                    self.explains.append((f"{db.backend} {db.size} townships, {view}: bare "
                                          "(owner)", floor.sql[view] + "\n"
                                          + ob.format_plan(db.backend, plan)))
        floor.close()
        gc.unfreeze()


def ob_captured(app, run) -> tuple[str, object]:
    """The roll-up's statement as the app sends it (the one reading ``obligation``)."""
    from sqlalchemy import event

    engine = app.extensions["zerenzhi"].db.engine
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return next((s, p) for s, p in seen if "FROM obligation" in s)


# --- report ----------------------------------------------------------------------------------

def print_report(bench: RollupBench, args, partial: bool = False) -> None:
    if partial:
        r = [x for x in bench.rollup_results if x.size == bench.rollup_results[-1].size
             and x.backend == bench.rollup_results[-1].backend]
        for x in r:
            print(f"partial: {x.size:>5} {x.backend:<10} {x.view:<19} {x.app_ms:9.1f} "
                  f"{x.bare_ms:9.1f} {x.ratio:6.2f}× sql {x.sql_ms} norls {x.norls_ms} "
                  f"rows {x.rows} runs {x.runs}", flush=True)
        return
    print()
    print(f"County roll-up benchmark — ONE county of N townships (30 units each, 2024–2026), "
          f"compliance 2026H1, overdue first page of {PAGE}, trend 2025H1..2026H2; now = "
          f"{dg.NOW.isoformat()}; median of `runs` timed runs, variants interleaved")
    print()
    print("Databases:")
    for line in bench.loads:
        print(f"  {line}")
    print()
    print("app ms: through zerenzhi.rollups (query: the statement in a fresh session inside "
          "county_read_scope; service: what the route calls); bare ms: the hand-written "
          "aggregate as the owner (PostgreSQL: RLS on); ratio = app/bare; app SQL ms: the "
          "app's own SQL text on a raw connection (PostgreSQL: zz_app, RLS on); no-RLS ms: "
          "bare as the superuser; ledger ms: the same compliance recomputed from the ledger "
          "(obligation LEFT JOIN fulfilment), as the owner — what the stored count saves")
    header = (f"{'size':>5}  {'backend':<10}  {'view':<19} {'app ms':>9} {'bare ms':>9} "
              f"{'ratio':>7}  {'app SQL ms':>10}  {'no-RLS ms':>9}  {'ledger ms':>9}  {'rows':>6}  "
              f"{'runs':>4}")
    print(header)
    print("-" * len(header))
    for r in sorted(bench.rollup_results,
                    key=lambda r: (r.size, r.backend, VIEWS.index(r.view))):
        sql = f"{r.sql_ms:10.1f}" if r.sql_ms is not None else f"{'-':>10}"
        norls = f"{r.norls_ms:9.1f}" if r.norls_ms is not None else f"{'-':>9}"
        ledger = f"{r.ledger_ms:9.1f}" if r.ledger_ms is not None else f"{'-':>9}"
        print(f"{r.size:>5}  {r.backend:<10}  {r.view:<19} {r.app_ms:9.1f} {r.bare_ms:9.1f} "
              f"{r.ratio:6.2f}×  {sql}  {norls}  {ledger}  {r.rows:>6}  {r.runs:>4}")
    print()
    if bench.server_rows:
        print("PostgreSQL's own account (EXPLAIN (ANALYZE, BUFFERS, TIMING OFF), medians): "
              "planning + execution ms, buffers touched")
        print(f"{'size':>5}  {'query':<16} {'plan ms':>8} {'exec ms':>9} {'buffers':>9}")
        for size, figures in bench.server_rows:
            for name in sorted(figures):
                plan, execution, buffers = figures[name]
                print(f"{size:>5}  {name:<16} {plan:8.2f} {execution:9.1f} {buffers:9d}")
        print()
    sizes = sorted({r.size for r in bench.rollup_results})
    if len(sizes) > 1:
        print("Growth with the number of townships (ms; × from the previous size; the data "
              "grows by the same factor as the size)")
        print(f"{'backend':<10}  {'view':<19} " + "  ".join(f"{s:>17}" for s in sizes))
        keyed = {(r.backend, r.view, r.size): r for r in bench.rollup_results}
        for backend in args.backends:
            lines = [(v, v, "app_ms") for v in VIEWS] + [
                (f"bare.{k}", f"{k}.query", "bare_ms") for k in ("compliance", "overdue",
                                                                 "trend")]
            for name, view, attribute in lines:
                cells, previous, prev_size = [], None, None
                for size in sizes:
                    r = keyed.get((backend, view, size))
                    if r is None:
                        cells.append(f"{'-':>17}")
                        continue
                    value = getattr(r, attribute)
                    growth = (f"(×{value / previous:.1f}/{size / prev_size:.0f})" if previous
                              else "")
                    cells.append(f"{value:8.1f} {growth:>8}")
                    previous, prev_size = value, size
                print(f"{backend:<10}  {name:<19} " + "  ".join(cells))
        print()
    print("Targets (PostgreSQL): compliance of a county of 30 < 50 ms; of 3,000 < 1 s; "
          "app/bare ≤ 1.5 at every size; growth no faster than the data")
    for r in sorted(bench.rollup_results, key=lambda r: (r.backend, r.size, r.view)):
        if r.view != "compliance.service":
            continue
        limit = 50 if r.size <= 30 else (1000 if r.size >= 3000 else None)
        time_ok = "" if limit is None else (
            f"{'met' if r.app_ms < limit else 'MISSED'} (< {limit} ms)")
        print(f"  {r.backend:<10} {r.size:>5}  compliance.service {r.app_ms:8.1f} ms {time_ok:<22}"
              f" ratio {r.ratio:5.2f}× {'met' if r.ratio <= 1.5 else 'MISSED'} (≤ 1.5)")
    misses = [r for r in bench.rollup_results if r.ratio > 1.5]
    print(f"  ratio ≤ 1.5: {len(bench.rollup_results) - len(misses)} of "
          f"{len(bench.rollup_results)} figures met"
          + (f"; missed by {', '.join(sorted({f'{r.backend} {r.size} {r.view}' for r in misses}))}"
             if misses else ""))
    for title, body in bench.explains:
        print()
        print(f"=== EXPLAIN: {title}")
        print(body)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30,300,3000",
                        type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--backends", default="sqlite,postgresql",
                        type=lambda s: [x.strip() for x in s.split(",")])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1,
                        help="warm-up rounds (the first, untimed, round counts as one)")
    parser.add_argument("--norls-below", type=int, default=3000,
                        help="time the superuser (no-RLS) floor only below this size, and "
                             "take PostgreSQL's EXPLAIN account once (not 3×) from it on, "
                             "to keep a 3,000-township run within minutes")
    parser.add_argument("--budget", type=float, default=240.0,
                        help="seconds of timed runs per size and backend; fewer runs (at "
                             "least 3) when one round of all variants takes longer")
    parser.add_argument("--templates", type=int, default=64)
    parser.add_argument("--shard-count", type=int, default=32,
                        help="citus backend: shards per distributed table (Citus's default 32)")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN (ANALYZE, BUFFERS) / EXPLAIN QUERY PLAN of the app's "
                             "and the bare SQL at the largest size")
    args = parser.parse_args(argv)
    args.sqlite_analyze = False
    args.what_if = False
    unknown = set(args.backends) - {"sqlite", "postgresql", "citus"}
    if unknown:
        parser.error(f"unknown backends {sorted(unknown)}")

    def terminate(_signum, _frame):
        log("terminated: cleaning up")
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, terminate)
    bench = RollupBench(args)
    started = time.perf_counter()
    try:
        for size in sorted(args.sizes):
            for backend in args.backends:
                bench.run(backend, size)
                print_report(bench, args, partial=True)  # figures so far, in case of a stop
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    finally:
        bench.close()
    print_report(bench, args)
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
