"""Benchmark: the obligations summary's status query and the calendar query, against the
bare SQL aggregate on the same data in the same process (issue 4, "Performance").

    .venv/bin/python bench/obligations.py [--sizes 30,300,3000]
        [--backends sqlite,postgresql] [--repeat 20] [--explain] [--what-if]

For each size N and backend it builds a fresh database (PostgreSQL: a throw-away cluster
from ``zerenzhi.testing_pg``, the app connecting as the restricted role ``zz_app`` so row-level
security is in the path; SQLite: a temp file), migrates it with core's runner, and fills
it with N townships × 30 units × 3 years (2024–2026) of obligations and ledger entries
(see ``datagen.py``): township 0 through core's own code (``ensure_periodic``,
``open_event_obligation``, ledger ``sync``) and compared row by row with the generator,
the rest bulk-loaded. Then, for one township (the "probe", in the middle of the load
order) it times, median of ``--repeat`` runs after warm-up, runs interleaved:

  summary.query     status_query(Window(2026H1), now) as summary() orders it, in a fresh
                    session inside tenant_scope (what the dashboard's numbers cost)
  summary.service   zerenzhi.obligations.service.summary(): ensure_periodic + that query +
                    describe() (titles, units, responsible persons) + Python totals
  calendar.query    calendar_query()'s statement for a 90-day window, ordered as the
                    route orders it, first page of 50
  calendar.service  calendar_query() (its ensure_periodic included) + that first page

and the floor: the hand-written aggregate (``SELECT o.id, count(f.id) FROM obligation o
LEFT JOIN fulfilment f ON ... GROUP BY o.id``; for the calendar with the due-date window,
ORDER BY and LIMIT 50) through a raw DB-API cursor as the owner role (PostgreSQL: with
``app.tenant_id`` set once per session, since RLS is FORCEd on the owner too) and, on
PostgreSQL, as the superuser (no RLS) for reference. Before timing, the app's ``done``
counts are checked equal to the floor's, and ``ensure_periodic`` is checked to find
nothing missing for the probe.

Benchmarks are not part of the test run (docs/architecture.md, Tests).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import os
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import datagen as dg  # noqa: E402

from zerenzhi.obligations.periods import Period, parse_period  # noqa: E402

H1 = parse_period("2026H1")
CAL_START = dt.date(2026, 4, 2)
CAL_END = CAL_START + dt.timedelta(days=90)
NOW = dg.NOW.astimezone(dt.UTC)
DUE_SOON_DAYS = 14
PAGE = 50
VIEWS = ("summary.query", "summary.service", "calendar.query", "calendar.service")

# The floor: the same counts as the app's ``done`` (entries of the obligation's rule and
# unit in its period, or linked to its event), hand-written, one statement.
BARE_JOIN = """
FROM obligation o
LEFT JOIN fulfilment f
  ON f.tenant_id = o.tenant_id AND f.rule_key = o.rule_key AND f.unit_id = o.unit_id
 AND f.archived_at IS NULL
 AND ((o.trigger_id IS NULL AND f.occurred_on BETWEEN o.period_start AND o.period_end)
      OR f.obligation_id = o.id)
"""
BARE_SUMMARY = f"""SELECT o.id, count(f.id) AS done {BARE_JOIN}
WHERE o.tenant_id = {{t}} AND o.archived_at IS NULL
  AND o.period_end >= {{start}} AND o.period_start <= {{end}}
GROUP BY o.id"""
BARE_CALENDAR = f"""SELECT o.id, count(f.id) AS done {BARE_JOIN}
WHERE o.tenant_id = {{t}} AND o.archived_at IS NULL
  AND o.due_at >= {{start}} AND o.due_at < {{end}}
GROUP BY o.tenant_id, o.id
ORDER BY o.due_at, o.rule_key, o.unit_id, o.id
LIMIT {PAGE}"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- timing -------------------------------------------------------------------------------

def time_interleaved(variants: dict, repeat: int, warmup: int
                     ) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall-clock ms and median CPU ms of this process for each variant. Variants
    take turns (rotating order) so a busy moment on a shared machine hits all alike."""
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            variants[name]()
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for i in range(repeat):
        for name in names[i % len(names):] + names[:i % len(names)]:
            start, start_cpu = time.perf_counter(), time.process_time()
            variants[name]()
            cpu[name].append((time.process_time() - start_cpu) * 1000)
            wall[name].append((time.perf_counter() - start) * 1000)
    return ({name: statistics.median(v) for name, v in wall.items()},
            {name: statistics.median(v) for name, v in cpu.items()})


# --- one database -------------------------------------------------------------------------

@dataclass
class Result:
    size: int
    backend: str
    view: str
    app_ms: float
    bare_ms: float
    norls_ms: float | None
    rows: int
    sql_ms: float | None = None  # the app's own SQL text on a raw DB-API connection
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.app_ms / self.bare_ms


@dataclass
class Database:
    backend: str
    size: int
    owner_url: str
    app_url: str
    role: str | None
    path: Path | None = None  # SQLite file
    conninfo: dict = field(default_factory=dict)  # PostgreSQL: owner / superuser
    flavour: str = ""  # "citus": PostgreSQL on a coordinator and two workers, distributed

    @property
    def label(self) -> str:
        """The backend as reports name it: sqlite, postgresql or citus."""
        return self.flavour or self.backend


class Bench:
    def __init__(self, args) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="zz-bench-"))
        self.cluster = None
        self.citus_cluster = None
        self.results: list[Result] = []
        self.explains: list[tuple[str, str]] = []
        self.loads: list[str] = []
        self.breakdowns: list[str] = []
        self.server: list[tuple[int, dict]] = []
        self.what_ifs: list[tuple[int, str, str, dict, dict]] = []
        self._templates: list[dg.Template] = []
        self._probe: dg.Template | None = None

    # -- setup and teardown --------------------------------------------------------------

    def close(self) -> None:
        if self.cluster is not None:
            log("stopping the PostgreSQL cluster")
            self.cluster.stop()
            self.cluster = None
        if self.citus_cluster is not None:
            log("stopping the Citus cluster")
            self.citus_cluster.stop()
            self.citus_cluster = None
        shutil.rmtree(self.tmp, ignore_errors=True)

    def pg(self):
        if self.cluster is None:
            from zerenzhi.testing_pg import PgCluster

            log("starting a throw-away PostgreSQL cluster")
            self.cluster = PgCluster().start()
            log(f"PostgreSQL cluster in {self.cluster.socket_dir}")
        return self.cluster

    @property
    def shard_count(self) -> int:
        return getattr(self.args, "shard_count", 32)

    def citus(self):
        if self.citus_cluster is None:
            from zerenzhi.testing_pg import CitusCluster

            log("starting a throw-away Citus cluster (coordinator + 2 workers, "
                f"{self.shard_count} shards a table)")
            self.citus_cluster = CitusCluster(shard_count=self.shard_count).start()
        return self.citus_cluster

    def database(self, backend: str, size: int) -> Database:
        name = f"bench{size}"
        if backend == "sqlite":
            path = self.tmp / f"{name}.db"
            url = f"sqlite:///{path}"
            return Database(backend, size, url, url, None, path=path)
        from zerenzhi.testing_pg import APP_ROLE, OWNER_ROLE, SUPERUSER

        cluster = self.citus() if backend == "citus" else self.pg()
        owner_url, app_url = cluster.create_database(name)
        base = {"host": cluster.socket_dir, "port": cluster.port, "dbname": name}
        return Database("postgresql", size, owner_url, app_url, APP_ROLE, conninfo={
            "owner": {**base, "user": OWNER_ROLE}, "superuser": {**base, "user": SUPERUSER},
            "app": {**base, "user": APP_ROLE}}, flavour="citus" if backend == "citus" else "")

    def drop(self, db: Database) -> None:
        try:
            self._drop(db)
        except Exception as exc:  # the temp dir and the cluster go at close() anyway
            log(f"could not drop {db.backend} database of {db.size}: {exc}")

    def _drop(self, db: Database) -> None:
        if db.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{db.path}{suffix}")
            return
        import psycopg

        info = {**db.conninfo["superuser"], "dbname": "postgres"}
        with psycopg.connect(**info, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{db.conninfo["owner"]["dbname"]}" WITH (FORCE)')

    def make_app(self, db: Database):
        from zerenzhi.app import create_app

        here = os.getcwd()
        os.chdir(self.tmp)  # create_app makes ./instance; keep it out of the checkout
        try:
            return create_app({"DATABASE_URL": db.app_url, "MIGRATION_DATABASE_URL": db.owner_url,
                               "DB_APP_ROLE": db.role, "TESTING": True,
                               "SECRET_KEY": "bench",
                               # the generator's span ends with 2026: no period ahead of it
                               "OBLIGATIONS_PERIODS_AHEAD": 0},
                              plugins=[dg.BenchPlugin()], load_entrypoints=False)
        finally:
            os.chdir(here)

    # -- data ----------------------------------------------------------------------------------

    def templates(self) -> list[dg.Template]:
        if not self._templates:
            started = time.perf_counter()
            backends = tuple(dict.fromkeys(  # Citus is PostgreSQL to the generator
                "postgresql" if b == "citus" else b for b in self.args.backends))
            self._templates = [dg.Template(f"t{k}", backends) for k in range(self.args.templates)]
            self._probe = dg.Template("probe", backends)
            log(f"{len(self._templates)} township templates + probe generated in "
                f"{time.perf_counter() - started:.1f}s")
        return self._templates

    def layout(self, size: int) -> tuple[list, list[dg.Township], dg.Township]:
        """Counties, bulk townships (1..size-1) and the probe (index size // 2). Township 0
        is made through the app's own code in county 0."""
        if size < 3:
            raise SystemExit("sizes start at 3 townships")
        templates = self.templates()
        counties = [dg.county_row(c) for c in range(math.ceil(size / dg.TOWNSHIPS_PER_COUNTY))]
        probe_index = size // 2
        townships = []
        for index in range(1, size):
            template = self._probe if index == probe_index else templates[index % len(templates)]
            county = dg.county_id_of(index // dg.TOWNSHIPS_PER_COUNTY)
            townships.append(dg.Township(template.plan(index, county), template))
        probe = next(t for t in townships if t.plan.index == probe_index)
        return counties, townships, probe

    def build(self, db: Database):
        from zerenzhi.migrate import upgrade

        counties, townships, probe = self.layout(db.size)
        started = time.perf_counter()
        app = self.make_app(db)
        upgrade(db.owner_url, app.extensions["zerenzhi"].plugins, db.role)
        if db.backend == "postgresql":
            loader = dg.PgLoader(" ".join(f"{k}={v}" for k, v in db.conninfo["owner"].items()))
        else:
            loader = dg.SqliteLoader(str(db.path))
        try:
            loader.provision(counties, [t.plan for t in townships])
            validated = validate_township_zero(app, db.backend, dg.county_id_of(0))
            loaded = time.perf_counter()
            loader.load(dg.chunks(townships, db.backend))
            loader.tally()
            loaded = time.perf_counter() - loaded
            if db.flavour == "citus":
                # loaded on the coordinator as on one server, then `zerenzhi db distribute`
                # moves the rows to the shards (Citus refuses the loader's INSERT … SELECT
                # into distributed tables under forced RLS: it becomes a COPY)
                loader.close()
                distribute(db.owner_url, db.role)
                # its connections predate the database's citus.propagate_set_commands
                app.extensions["zerenzhi"].db.dispose()
                loader = dg.PgLoader(" ".join(f"{k}={v}" for k, v in
                                              db.conninfo["owner"].items()))
            if db.backend == "postgresql" or self.args.sqlite_analyze:
                loader.vacuum_analyze()
        finally:
            loader.close()
        rows = validated + sum(sum(t.template.rows) for t in townships)
        add_posts(app, probe.plan)
        size_note = database_size(app, db)
        self.loads.append(
            f"{db.label:<10} {db.size:>5} townships: {rows:>9,} obligation+ledger rows, "
            f"bulk load {loaded:6.1f}s, ready in {time.perf_counter() - started:6.1f}s"
            f"{size_note}")
        log(self.loads[-1])
        return app, probe

    # -- one size on one backend -------------------------------------------------------------

    def run(self, backend: str, size: int) -> None:
        log(f"{backend}: building {size} townships")
        db = self.database(backend, size)
        app = None
        try:
            app, probe = self.build(db)
            self.measure(app, db, probe)
        finally:
            if app is not None:
                app.extensions["zerenzhi"].db.dispose()
            self.drop(db)

    def measure(self, app, db: Database, probe: dg.Township) -> None:
        from zerenzhi.obligations.materialize import ensure_periodic
        from zerenzhi.obligations.models import Obligation
        from zerenzhi.obligations.service import calendar_query, summary
        from zerenzhi.obligations.status import Window, status_query
        from zerenzhi.tenancy.context import TenantRef, tenant_scope

        kernel = app.extensions["zerenzhi"]
        sessions = kernel.db.Session
        ref = TenantRef(probe.plan.tenant_id, "township", probe.plan.slug,
                        probe.plan.county_id, dg.TZ)
        floor = Floor(db, probe.plan.tenant_id)

        def summary_statement():
            return status_query(Window(start=H1.start, end=H1.end), NOW, DUE_SOON_DAYS) \
                .order_by(Obligation.rule_key, Obligation.unit_id, Obligation.period_start)

        def calendar_statement(session):
            return calendar_query(session, start=CAL_START, end=CAL_END, now=NOW,
                                  due_soon_days=DUE_SOON_DAYS).order_by("unit_id", "id")

        with app.app_context(), tenant_scope(ref):
            with sessions() as session:
                missing = ensure_periodic(session, dg.SPAN)
                session.rollback()
            if missing:
                raise AssertionError(f"ensure_periodic would add {missing} obligations to the "
                                     "bulk-loaded probe: the generator's shape is wrong")
            with sessions() as session:
                page = calendar_statement(session).limit(PAGE).offset(0)

            def summary_query():
                with sessions() as session:
                    return session.execute(summary_statement()).all()

            def summary_service():
                with sessions() as session:
                    return summary(session, H1, NOW, DUE_SOON_DAYS)

            def calendar_page():
                with sessions() as session:
                    return session.execute(page).all()

            def calendar_service():
                with sessions() as session:
                    statement = calendar_statement(session)
                    return session.execute(statement.limit(PAGE).offset(0)).all()

            # the app and the floor agree before anything is timed
            rows = summary_query()
            app_done = {o.id: done for o, done, *_ in rows}
            if app_done != floor.summary_counts():
                raise AssertionError("summary: app and bare aggregate disagree")
            cal_rows = calendar_page()
            app_cal = [(o.id, done) for o, done, *_ in cal_rows]
            if app_cal != floor.calendar_counts():
                raise AssertionError("calendar: app and bare aggregate disagree")
            service = summary_service()
            statuses = Counter(item["status"] for item in service["items"])
            log(f"probe 2026H1: {len(rows)} obligations {dict(statuses)}; calendar page "
                f"{len(cal_rows)} rows")

            # the app's own SQL text, as the app sends it, on a raw connection (as the
            # app role on PostgreSQL): what the query costs without the Python around it
            floor.app_sql("summary", *captured_sql(app, summary_query))
            floor.app_sql("calendar", *captured_sql(app, calendar_page))

            def build_only():
                return summary_statement()

            def session_only():
                with sessions() as session:
                    session.connection()

            variants = {
                "summary.query": summary_query, "summary.service": summary_service,
                "calendar.query": calendar_page, "calendar.service": calendar_service,
                "sql.summary": floor.summary_app_sql, "sql.calendar": floor.calendar_app_sql,
                "bare.summary": floor.summary, "bare.calendar": floor.calendar,
                "part.build": build_only, "part.session": session_only,
            }
            if floor.norls is not None:
                variants["norls.summary"] = floor.summary_norls
                variants["norls.calendar"] = floor.calendar_norls
            medians, cpu = time_interleaved(variants, self.args.repeat, self.args.warmup)
            counts = {"summary": len(rows), "calendar": len(cal_rows)}
            for view in VIEWS:
                kind = view.split(".")[0]
                self.results.append(Result(
                    db.size, db.backend, view, medians[view], medians[f"bare.{kind}"],
                    medians.get(f"norls.{kind}"), counts[kind],
                    sql_ms=medians[f"sql.{kind}"] if view.endswith(".query") else None))
            self.breakdowns.append(breakdown(db, medians, cpu))
            if db.backend == "postgresql":
                self.server.append((db.size, floor.server_side(self.args.repeat)))

            if self.args.explain and db.size == max(self.args.sizes):
                self.explain(app, db, floor, summary_query, calendar_page, sessions)
            if self.args.what_if:
                self.what_if(app, db, floor, summary_query, calendar_page, sessions)
        floor.close()

    # -- EXPLAIN -------------------------------------------------------------------------------

    def explain(self, app, db, floor, summary_query, calendar_page, sessions) -> None:
        for label, run, bare_sql, bare_params in (
            ("summary.query", summary_query, BARE_SUMMARY, floor.summary_params),
            ("calendar.query", calendar_page, BARE_CALENDAR, floor.calendar_params),
        ):
            statement, parameters = captured_sql(app, run)
            prefix = ("EXPLAIN (ANALYZE, BUFFERS) " if db.backend == "postgresql"
                      else "EXPLAIN QUERY PLAN ")
            with sessions() as session:
                plan = session.connection().exec_driver_sql(prefix + statement,
                                                            parameters).all()
            head = f"{db.backend} {db.size} townships, {label}"
            self.explains.append((f"{head}: the app's SQL (as {db.role or 'the file owner'})",
                                  statement + "\n" + format_plan(db.backend, plan)))
            plan = floor.explain(prefix, bare_sql, bare_params)
            self.explains.append((f"{head}: bare aggregate (owner)",
                                  floor.render(bare_sql) + "\n" + format_plan(db.backend, plan)))

    # -- what-if: candidate indexes on the bench's own throw-away database --------------------

    def what_if(self, app, db: Database, floor: Floor, summary_query, calendar_page,
                sessions) -> None:
        """The proposed status_query (variants.py) and candidate indexes, cumulative, on
        this throw-away database, timed against core's code and the floor in one batch."""
        import variants

        from zerenzhi.obligations.models import Obligation
        from zerenzhi.obligations.status import Window, filtered

        begin, _ = Period(CAL_START, CAL_START, "day", "").bounds(dg.TZ)
        _, after = Period(CAL_END, CAL_END, "day", "").bounds(dg.TZ)

        def summary_with(status_query):
            def run():
                with sessions() as session:
                    return session.execute(
                        status_query(Window(start=H1.start, end=H1.end), NOW, DUE_SOON_DAYS)
                        .order_by(Obligation.rule_key, Obligation.unit_id,
                                  Obligation.period_start)).all()
            return run

        def calendar_with(status_query):
            def run():
                with sessions() as session:  # calendar_query's statement, no ensure_periodic
                    query = filtered(status_query(
                        Window(due_from=begin, due_to=after), NOW, DUE_SOON_DAYS))
                    return session.execute(
                        query.order_by("due_at", "rule_key").order_by("unit_id", "id")
                        .limit(PAGE).offset(0)).all()
            return run

        runs = {"core.summary": summary_query, "core.calendar": calendar_page}
        for name, function in (("cached", variants.status_query_cached),
                               ("split", variants.status_query_split)):
            runs[f"{name}.summary"] = summary_with(function)
            runs[f"{name}.calendar"] = calendar_with(function)
            summary_rows, calendar_rows = runs[f"{name}.summary"](), runs[f"{name}.calendar"]()
            if {o.id: done for o, done, *_ in summary_rows} != floor.summary_counts():
                raise AssertionError(f"{name} summary: disagrees with the bare aggregate")
            if [(o.id, done) for o, done, *_ in calendar_rows] != floor.calendar_counts():
                raise AssertionError(f"{name} calendar: disagrees with the bare aggregate")
        floor.app_sql("split.summary", *captured_sql(app, runs["split.summary"]))
        floor.app_sql("split.calendar", *captured_sql(app, runs["split.calendar"]))
        runs["bare.summary"], runs["bare.calendar"] = floor.summary, floor.calendar

        for label, ddl in [("as migrated", [])] + WHAT_IF[db.backend]:
            floor.ddl(ddl)
            wall, _cpu = time_interleaved(runs, self.args.repeat, self.args.warmup)
            server = floor.server_side(self.args.repeat, (
                "summary", "split.summary", "calendar", "split.calendar"),
            ) if db.backend == "postgresql" else {}
            self.what_ifs.append((db.size, db.backend, label, wall, server))


# Candidate index changes for --what-if, cumulative, in this order (see README.md).
WHAT_IF: dict[str, list[tuple[str, list[str]]]] = {
    "postgresql": [
        ("+ fulfilment (tenant_id, obligation_id)", [
            "CREATE INDEX ix_fulfilment_obligation ON fulfilment (tenant_id, obligation_id)",
            "ANALYZE fulfilment"]),
        ("+ obligation (tenant_id, period_end, period_start)", [
            "CREATE INDEX ix_obligation_window ON obligation "
            "(tenant_id, period_end, period_start)",
            "ANALYZE obligation"]),
    ],
    "sqlite": [
        ("+ fulfilment (tenant_id, obligation_id)", [
            "CREATE INDEX ix_fulfilment_obligation ON fulfilment (tenant_id, obligation_id)"]),
        ("+ obligation (tenant_id, period_end, period_start)", [
            "CREATE INDEX ix_obligation_window ON obligation "
            "(tenant_id, period_end, period_start)"]),
    ],
}


def breakdown(db: Database, wall: dict, cpu: dict) -> str:
    """Where summary.query's time goes: building the statement (Python), a fresh session
    (pool checkout; on PostgreSQL pre-ping and the two SET LOCALs of after_begin; on SQLite a
    new connection and its PRAGMAs, NullPool), the SQL itself, and the rest (compiling from
    cache, type processing and ORM objects for the rows)."""
    rest = (wall["summary.query"] - wall["part.build"] - wall["part.session"]
            - wall["sql.summary"])
    rest_cpu = (cpu["summary.query"] - cpu["part.build"] - cpu["part.session"]
                - cpu["sql.summary"])
    return (f"{db.size:>5}  {db.backend:<10}  wall {wall['summary.query']:6.2f} = build "
            f"{wall['part.build']:5.2f} + session {wall['part.session']:5.2f} + SQL "
            f"{wall['sql.summary']:5.2f} + rest {rest:5.2f}   | this process's CPU "
            f"{cpu['summary.query']:5.2f} = {cpu['part.build']:5.2f} + "
            f"{cpu['part.session']:5.2f} + {cpu['sql.summary']:5.2f} + {rest_cpu:5.2f}"
            f"   | bare: wall {wall['bare.summary']:5.2f}, CPU {cpu['bare.summary']:5.2f}")


def captured_sql(app, run) -> tuple[str, object]:
    """The status query's SQL and parameters exactly as the app sends them."""
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
    return next((s, p) for s, p in seen if "row_number" in s)


def distribute(owner_url: str, role: str | None) -> None:
    """``zerenzhi db distribute``'s code on the bench's database (the test kit's helper)."""
    from zerenzhi.testing_pg import distribute as run

    done = run(owner_url, role)
    log(f"distributed: {len(done.distributed)} tables by tenant_id, "
        f"{len(done.reference)} reference tables")


def format_plan(backend: str, rows) -> str:
    if backend == "postgresql":
        return "\n".join(row[0] for row in rows)
    # SQLite's EXPLAIN QUERY PLAN rows: id, parent, notused, detail
    depth: dict[int, int] = {0: -1}
    lines = []
    for row in rows:
        node, parent, detail = row[0], row[1], row[-1]
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return "\n".join(lines)


class Floor:
    """The bare aggregate through a raw DB-API cursor, as the owner (and, on PostgreSQL, as
    the superuser, which RLS does not bind)."""

    def __init__(self, db: Database, tenant_id: uuid.UUID) -> None:
        self.backend = db.backend
        begin, _ = Period(CAL_START, CAL_START, "day", "").bounds(dg.TZ)
        _, after = Period(CAL_END, CAL_END, "day", "").bounds(dg.TZ)
        self.norls = None
        if db.backend == "postgresql":
            import psycopg

            self.conn = psycopg.connect(**db.conninfo["owner"], autocommit=True)
            self.conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tenant_id),))
            self.norls = psycopg.connect(**db.conninfo["superuser"], autocommit=True)
            mark = {"t": "%(t)s", "start": "%(start)s", "end": "%(end)s"}
            self.summary_params = {"t": tenant_id, "start": H1.start, "end": H1.end}
            self.calendar_params = {"t": tenant_id, "start": begin.astimezone(dt.UTC),
                                    "end": after.astimezone(dt.UTC)}
        else:
            self.conn = sqlite3.connect(str(db.path))
            mark = {"t": ":t", "start": ":start", "end": ":end"}
            stamp = dg.sqlite_datetime
            self.summary_params = {"t": tenant_id.hex, "start": H1.start.isoformat(),
                                   "end": H1.end.isoformat()}
            self.calendar_params = {"t": tenant_id.hex, "start": stamp(begin),
                                    "end": stamp(after)}
        self.summary_sql = BARE_SUMMARY.format(**mark)
        self.calendar_sql = BARE_CALENDAR.format(**mark)
        self.cur = self.conn.cursor()
        self.norls_cur = self.norls.cursor() if self.norls is not None else None
        if db.backend == "postgresql":
            import psycopg

            self.app_conn = psycopg.connect(**db.conninfo["app"], autocommit=True)
            self.app_conn.execute("SELECT set_config('app.tenant_id', %s, false)",
                                  (str(tenant_id),))
        else:
            self.app_conn = sqlite3.connect(str(db.path))
        self.app_cur = self.app_conn.cursor()
        self._app_sql: dict[str, tuple[str, object]] = {}

    def server_side(self, repeat: int, app_kinds=("summary", "calendar")
                    ) -> dict[str, tuple[float, float, int]]:
        """PostgreSQL's own account, free of client and scheduling noise: median planning
        and execution ms and the buffers touched (shared hit + read, a count of the pages
        the query needed, which must not grow with other townships' data), from
        EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)."""
        import json

        result = {}
        queries = [(f"sql.{kind}" if "." not in kind else kind, self.app_cur,
                    self._app_sql[kind]) for kind in app_kinds]
        queries += [("bare.summary", self.cur, (self.summary_sql, self.summary_params)),
                    ("bare.calendar", self.cur, (self.calendar_sql, self.calendar_params))]
        for name, cur, (statement, parameters) in sorted(
                queries, key=lambda q: ("calendar" in q[0], q[0].startswith("bare"))):
            plans, executions, buffers = [], [], 0
            for _ in range(max(repeat, 5)):
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) " + statement,
                            parameters)
                document = cur.fetchone()[0]
                document = (json.loads(document) if isinstance(document, str) else document)[0]
                plans.append(document["Planning Time"])
                executions.append(document["Execution Time"])
                top = document["Plan"]
                buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
            result[name] = (statistics.median(plans), statistics.median(executions), buffers)
        return result

    def app_sql(self, kind: str, statement: str, parameters) -> None:
        self._app_sql[kind] = (statement, parameters)

    def summary_app_sql(self):
        return self._run(self.app_cur, *self._app_sql["summary"])

    def calendar_app_sql(self):
        return self._run(self.app_cur, *self._app_sql["calendar"])

    def render(self, template: str) -> str:
        return template.format(t=":t", start=":start", end=":end")

    def _run(self, cur, sql, params):
        cur.execute(sql, params)
        return cur.fetchall()

    def summary(self):
        return self._run(self.cur, self.summary_sql, self.summary_params)

    def calendar(self):
        return self._run(self.cur, self.calendar_sql, self.calendar_params)

    def summary_norls(self):
        return self._run(self.norls_cur, self.summary_sql, self.summary_params)

    def calendar_norls(self):
        return self._run(self.norls_cur, self.calendar_sql, self.calendar_params)

    def _id(self, value) -> uuid.UUID:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=value)

    def summary_counts(self) -> dict[uuid.UUID, int]:
        return {self._id(i): n for i, n in self.summary()}

    def calendar_counts(self) -> list[tuple[uuid.UUID, int]]:
        return [(self._id(i), n) for i, n in self.calendar()]

    def explain(self, prefix: str, template: str, params):
        sql = self.summary_sql if template is BARE_SUMMARY else self.calendar_sql
        self.cur.execute(prefix + sql, params)
        return self.cur.fetchall()

    def ddl(self, statements: list[str]) -> None:
        for statement in statements:
            self.cur.execute(statement)
        if self.backend == "sqlite":
            self.conn.commit()

    def close(self) -> None:
        self.conn.close()
        self.app_conn.close()
        if self.norls is not None:
            self.norls.close()


# --- township 0 through the app's own code ---------------------------------------------------

def _param(backend: str, value: uuid.UUID):
    return value.hex if backend == "sqlite" else value


def validate_township_zero(app, backend: str, county_id: uuid.UUID) -> int:
    """Make township 0 with core's own code — create_township, ensure_periodic,
    open_event_obligation, ledger sync/withdraw — from the generator's plan, then check
    that what core stored is, column by column as stored, what the generator produces
    (and so what the bulk loader writes for every other township)."""
    from sqlalchemy import text

    from zerenzhi.db.session import session
    from zerenzhi.obligations.ledger import Evidence, sync, withdraw
    from zerenzhi.obligations.materialize import ensure_periodic, open_event_obligation
    from zerenzhi.orgunits.models import OrgUnit
    from zerenzhi.orgunits.service import root_unit
    from zerenzhi.plugin_host.models import TenantPlugin
    from zerenzhi.provisioning.service import create_township
    from zerenzhi.tenancy.context import tenant_scope
    from zerenzhi.tenancy.models import Tenant

    with app.app_context():
        sess = session()
        township = create_township(sess, sess.get(Tenant, county_id), "bench-00000", "基準鎮0",
                                   live_from=dg.SPAN.start)
        sess.commit()
        ref = township.ref()
        with tenant_scope(ref):
            units = [(root_unit(sess).id, "committee", "committee")]
            for code, kind in dg.UNITS[1:]:
                unit = OrgUnit(code=code, name=f"{dg.UNIT_NAMES[kind]}{code}", kind=kind,
                               parent_id=units[0][0])
                sess.add(unit)
                sess.flush()
                units.append((unit.id, code, kind))
            sess.add(TenantPlugin(plugin="bench", enabled=True, settings={}))
            sess.flush()
            plan = dg.Plan(0, "validation", ref.id, county_id, ref.slug, units)
            obligations, fulfilments, triggers = dg.generate(plan, waivers=False)

            periodic = sum(1 for row in obligations if row[dg.OI["trigger_id"]] is None)
            created = ensure_periodic(sess, dg.SPAN)
            if created != periodic:
                raise AssertionError(f"ensure_periodic made {created}, generator {periodic}")
            slot_of = {row[dg.OI["id"]]: row[dg.OI["slot"]] for row in obligations}
            by_slot = {}
            for trigger in triggers:
                made = open_event_obligation(sess, trigger.rule_key, trigger.unit_id,
                                             trigger.trigger_type, trigger.trigger_id,
                                             trigger.triggered_at, due_at=trigger.due_at)
                by_slot[f"{made.trigger_type}:{made.trigger_id}"] = made.id  # an event's slot
            for row in fulfilments:
                linked = row[dg.FI["obligation_id"]]
                source_type, source_id = row[dg.FI["source_type"]], row[dg.FI["source_id"]]
                sync(sess, source_type, source_id, [Evidence(
                    row[dg.FI["rule_key"]], row[dg.FI["unit_id"]], row[dg.FI["occurred_at"]],
                    by_slot[slot_of[linked]] if linked else None)])
                if row[dg.FI["archived_at"]] is not None:
                    withdraw(sess, source_type, source_id)
            sess.commit()

            # compare as stored (SQLite: the exact text SQLAlchemy wrote)
            obl_cols = ("rule_key", "unit_id", "slot", "period_start", "period_end", "due_at",
                        "min_count", "source_clause", "rule_version", "responsible_role",
                        "trigger_type", "trigger_id", "triggered_at")
            t = _param(backend, ref.id)
            stored = Counter(tuple(r) for r in sess.execute(text(
                f"SELECT {', '.join(obl_cols)} FROM obligation WHERE tenant_id = :t"),
                {"t": t}))
            expected = Counter(_encode(backend, "obligation", obl_cols,
                                       [tuple(row[dg.OI[c]] for c in obl_cols)
                                        for row in obligations]))
            _same("obligation", stored, expected)
            ful_cols = ("rule_key", "unit_id", "occurred_at", "occurred_on", "source_type",
                        "source_id")
            stored = Counter((*r[:-2], r[-2], bool(r[-1])) for r in sess.execute(text(
                f"SELECT {', '.join('f.' + c for c in ful_cols)}, o.slot, "
                "CASE WHEN f.archived_at IS NULL THEN 0 ELSE 1 END FROM fulfilment f "
                "LEFT JOIN obligation o ON o.tenant_id = f.tenant_id AND o.id = "
                "f.obligation_id WHERE f.tenant_id = :t"), {"t": t}))
            encoded = _encode(backend, "fulfilment", ful_cols,
                              [tuple(row[dg.FI[c]] for c in ful_cols) for row in fulfilments])
            expected = Counter(
                (*enc, slot_of.get(row[dg.FI["obligation_id"]]),
                 row[dg.FI["archived_at"]] is not None)
                for enc, row in zip(encoded, fulfilments, strict=True))
            _same("fulfilment", stored, expected)
            sess.rollback()
    return len(obligations) + len(fulfilments)


def _encode(backend, table, cols, rows):
    return rows if backend == "postgresql" else dg.sqlite_rows(table, cols, rows)


def _same(table: str, stored: Counter, expected: Counter) -> None:
    if stored != expected:
        extra, missing = stored - expected, expected - stored
        raise AssertionError(f"{table}: core stored {sum(extra.values())} rows the generator "
                             f"does not make, e.g. {list(extra)[:2]}; and lacks "
                             f"{sum(missing.values())}, e.g. {list(missing)[:2]}")


def add_posts(app, plan: dg.Plan) -> None:
    """Holders for the probe's posts (31), so describe() resolves responsible persons."""
    from zerenzhi.auth.models import Member, Position, UserAccount
    from zerenzhi.db.session import session
    from zerenzhi.tenancy.context import TenantRef, tenant_scope

    ref = TenantRef(plan.tenant_id, "township", plan.slug, plan.county_id, dg.TZ)
    posts = [("secretary", "committee"), ("deputy", "committee"), ("office", "office")]
    posts += [("branch_secretary", code) for _u, code, kind in plan.units if kind == "branch"]
    posts += [("unit_head", code) for _u, code, kind in plan.units
              if kind in ("village", "station")]
    unit_of = {code: unit_id for unit_id, code, _kind in plan.units}
    with app.app_context():
        sess = session()
        with tenant_scope(ref):
            for role, code in posts:
                account = UserAccount(username=f"{role}.{code}@{plan.slug}",
                                      display_name=f"{role} {code}", password_hash="!",
                                      home_tenant_id=plan.tenant_id)
                sess.add(account)
                sess.flush()
                sess.add(Member(id=account.id, display_name=account.display_name))
                sess.flush()
                sess.add(Position(member_id=account.id, role=role, unit_id=unit_of[code],
                                  started_at=dg.PROVISIONED.astimezone(dt.UTC)))
            sess.commit()


def database_size(app, db: Database) -> str:
    if db.backend == "sqlite":
        total = sum(os.path.getsize(f"{db.path}{s}") for s in ("", "-wal")
                    if os.path.exists(f"{db.path}{s}"))
        return f", file {total / 1e6:,.0f} MB"
    import psycopg

    with psycopg.connect(**db.conninfo["superuser"]) as conn:
        sizes = conn.execute(
            "SELECT pg_total_relation_size('obligation'), pg_total_relation_size('fulfilment'),"
            " pg_database_size(current_database())").fetchone()
    return (f", obligation {sizes[0] / 1e6:,.0f} MB + fulfilment {sizes[1] / 1e6:,.0f} MB "
            f"(with indexes), database {sizes[2] / 1e6:,.0f} MB")


# --- report -----------------------------------------------------------------------------------

def print_report(bench: Bench, args) -> None:
    print()
    print(f"Obligations benchmark — probe township, 2026H1 summary and a 90-day calendar "
          f"page ({CAL_START}..{CAL_END}), now = {dg.NOW.isoformat()}; median of "
          f"{args.repeat} runs after {args.warmup} warm-up, interleaved")
    print()
    print("Databases:")
    for line in bench.loads:
        print(f"  {line}")
    print()
    print("app ms: through the app's code in a fresh session (as a request would); app SQL "
          "ms: the app's own SQL text on a raw connection (PostgreSQL: as zz_app, RLS on); "
          "bare ms: the hand-written aggregate as the owner (RLS on); no-RLS ms: the same as "
          "the superuser")
    header = (f"{'size':>5}  {'backend':<10}  {'view':<17} {'app ms':>8} {'bare ms':>8} "
              f"{'ratio':>7}  {'app SQL ms':>10} {'SQL ratio':>9}  {'no-RLS ms':>9}  {'rows':>4}")
    print(header)
    print("-" * len(header))
    for r in sorted((r for r in bench.results if not r.note),
                    key=lambda r: (r.size, r.backend, VIEWS.index(r.view))):
        norls = f"{r.norls_ms:9.2f}" if r.norls_ms is not None else f"{'-':>9}"
        sql = (f"{r.sql_ms:10.2f} {r.sql_ms / r.bare_ms:8.2f}×" if r.sql_ms is not None
               else f"{'-':>10} {'-':>9}")
        print(f"{r.size:>5}  {r.backend:<10}  {r.view:<17} {r.app_ms:8.2f} {r.bare_ms:8.2f} "
              f"{r.ratio:6.2f}×  {sql}  {norls}  {r.rows:>4}")
    print()
    print("Where summary.query's time goes (ms, medians of each part timed on its own): "
          "build = status_query() in Python; session = fresh session + connection (PG: "
          "pre-ping, SET LOCAL ×2; SQLite: new connection + PRAGMAs); SQL = the app's SQL on "
          "a raw connection; rest = the remainder (cached compile, result types, ORM objects)")
    for line in bench.breakdowns:
        print(f"  {line}")
    print()
    if bench.server:
        print("PostgreSQL's own account (EXPLAIN (ANALYZE, BUFFERS, TIMING OFF), medians): "
              "planning + execution ms, and buffers touched (pages; independent of other "
              "townships if the indexes are right)")
        print(f"{'size':>5}  {'query':<14} {'plan ms':>8} {'exec ms':>8} {'buffers':>8}")
        for size, figures in bench.server:
            for name, (plan, execution, buffers) in figures.items():
                print(f"{size:>5}  {name:<14} {plan:8.2f} {execution:8.2f} {buffers:8d}")
        print()
    sizes = sorted({r.size for r in bench.results})
    if not sizes:
        return
    if len(sizes) > 1:
        print("Growth of one township's cost with the number of townships (app ms; × from "
              "the previous size)")
        print(f"{'backend':<10}  {'view':<17} " + "  ".join(f"{s:>15}" for s in sizes))
        keyed = {(r.backend, r.view, r.size): r for r in bench.results if not r.note}
        for backend in args.backends:
            rows = [(view, view, "app_ms") for view in VIEWS] + [
                ("sql.summary", "summary.query", "sql_ms"),
                ("bare.summary", "summary.query", "bare_ms"),
                ("sql.calendar", "calendar.query", "sql_ms"),
                ("bare.calendar", "calendar.query", "bare_ms")]
            for name, view, attribute in rows:
                cells, previous = [], None
                for size in sizes:
                    r = keyed.get((backend, view, size))
                    if r is None:
                        cells.append(f"{'-':>15}")
                        continue
                    value = getattr(r, attribute)
                    growth = f"(×{value / previous:.2f})" if previous else ""
                    cells.append(f"{value:7.2f} {growth:>7}")
                    previous = value
                print(f"{backend:<10}  {name:<17} " + "  ".join(cells))
        print()
    target = [r for r in bench.results if not r.note and r.backend == "postgresql"
              and r.view == "summary.query" and r.size == max(sizes)]
    for r in target:
        below = "" if r.size >= 3000 else " (measured below 3,000 townships)"
        print(f"Target (PostgreSQL, {r.size} townships{below}: summary for one township "
              f"over one half-year within 2× of the bare aggregate and under 50 ms):")
        for what, ms in (("through the app's code", r.app_ms), ("the app's SQL", r.sql_ms)):
            ratio = ms / r.bare_ms
            verdict = "met" if ratio <= 2 and ms < 50 else (
                "under 50 ms, but not within 2×" if ms < 50 else "NOT met")
            print(f"  {what:<23} {ms:7.2f} ms, {ratio:5.2f}× the bare aggregate — {verdict}")
    if bench.what_ifs:
        print()
        print("What-if: core's status_query vs bench/variants.py's cached (statement built once; "
              "same SQL) and split (cached + the ledger join's OR split under UNION ALL), with "
              "candidate indexes added cumulatively. ms through the app's session (calendar: "
              "the first page, no ensure_periodic), ×: over bare; PostgreSQL: server plan+exec "
              "ms / buffers of core's SQL, the split SQL and the bare aggregate")
        for size, backend, label, wall, server in bench.what_ifs:
            print(f"{size:>5}  {backend:<10}  {label}")
            for kind in ("summary", "calendar"):
                bare = wall[f"bare.{kind}"]
                cells = [f"{name} {wall[f'{name}.{kind}']:6.2f} "
                         f"({wall[f'{name}.{kind}'] / bare:5.2f}×)"
                         for name in ("core", "cached", "split")]
                line = f"      {kind:<8}  " + "  ".join(cells) + f"  bare {bare:5.2f}"
                if server:
                    parts = []
                    for name, title in ((f"sql.{kind}", "core"), (f"split.{kind}", "split"),
                                        (f"bare.{kind}", "bare")):
                        plan, execution, buffers = server[name]
                        parts.append(f"{title} {plan + execution:5.2f}/{buffers:4d}")
                    line += "   | server " + ", ".join(parts)
                print(line)
    for title, body in bench.explains:
        print()
        print(f"=== EXPLAIN: {title}")
        print(body)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30,300,3000",
                        type=lambda s: [int(x) for x in s.split(",")],
                        help="numbers of townships, comma-separated (default 30,300,3000)")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        type=lambda s: [x.strip() for x in s.split(",")])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--templates", type=int, default=64,
                        help="distinct generated townships the bulk is made from")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN (ANALYZE, BUFFERS) / EXPLAIN QUERY PLAN of the "
                             "app's and the bare SQL at the largest size")
    parser.add_argument("--what-if", action="store_true",
                        help="after the baseline, add the candidate indexes to the bench's "
                             "throw-away database and time again")
    parser.add_argument("--sqlite-analyze", action="store_true",
                        help="run ANALYZE on SQLite after loading (the app never does)")
    args = parser.parse_args(argv)
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backends {sorted(unknown)}")

    def terminate(_signum, _frame):
        log("terminated: cleaning up")
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, terminate)
    bench = Bench(args)
    started = time.perf_counter()
    try:
        for size in sorted(args.sizes):
            for backend in args.backends:
                bench.run(backend, size)
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
