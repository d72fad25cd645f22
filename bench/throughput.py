"""Benchmark: authenticated township GETs through the real service under gunicorn, against
bare Flask routes running the equivalent raw SQL (issue 8, item 5, second half): the units
list (a page of 50) and the township's obligations summary (the dashboard).

    .venv/bin/python bench/throughput.py [--townships 30] [--requests 2000]
        [--concurrency 8] [--max-seconds 120] [--workers 2] [--routes units,summary]
        [--profile N] [--baseline DIR]

1. A throw-away PostgreSQL cluster (``zerenzhi.testing_pg.PgCluster``), one database migrated with
   core's runner for the installed plugins, and ``--townships`` townships (each with its own
   county, org tree and one user per role) made with ``zerenzhi.testing.build_world`` — core's
   services, tokens from ``zerenzhi.auth.service.issue_token_for``. The measured township gets
   60 units in all, so ``?page_size=50`` returns a full page of 50, and every installed
   module enabled (``World.enable``), so the summary's current half-year holds every rule's
   obligations; ledger entries are added for them (``add_entries``: two of three due ones
   met, one short). Then ``ANALYZE``, as autovacuum would have done (``analyze``).
2. The real service: ``sys.executable -m gunicorn --chdir /work/main -w 2 -b 127.0.0.1:<free
   port> wsgi:app`` with ZERENZHI_DATABASE_URL = the app role's URL (``zz_app``: row-level
   security in the path), ZERENZHI_MIGRATION_DATABASE_URL = the owner's, ZERENZHI_DB_APP_ROLE
   = zz_app and ZERENZHI_TENANTS_DIR = an empty temp dir (no demo tenants). Measured:
   ``GET /api/v1/townships/<t>/units?page_size=50`` and ``GET /api/v1/townships/<t>/
   obligations/summary`` with ``Authorization: Bearer <token>`` (the secretary's). The API's
   rate limit stays on, with limits this one-token load never reaches (``RATE_LIMITS``).
3. The bare route: this file's ``bare_app()``, also under gunicorn with the same workers on
   another free port: per request, on one psycopg connection per worker as ``zz_app``, the
   equivalent raw SQL — token lookup, tenant by slug, ``SET LOCAL app.tenant_id``, the
   user's positions in the township, ``count(*)`` and the first 50 units by code — returned
   as the same JSON list (plus the X-Pagination header's total). For the summary: the same
   four statements, then the status rule as one hand-written statement (``BARE_SUMMARY_SQL``:
   done, fulfilled-at and status per obligation of the current half-year, with its unit) and
   the township's posts with their holders, the response built in plain Python
   (``bare_summary_body``: the same items, people, per-rule totals and overdue list). Before
   the load, both answers are compared (``same_answer``: everything but the titles and role
   labels, which the bare route leaves as keys).
4. Load: a Python client in this process (threads, ``http.client``, a new loopback connection
   per request as gunicorn's sync workers close them), ``--concurrency`` requests in flight,
   no sleeps, bounded by ``--requests`` and ``--max-seconds``, after 100 warm-up requests;
   the two servers are measured one after the other, then again in the other order, and the
   better of each is kept (noise on a shared machine only ever makes a run slower).
5. Before the load, in this process: the round trips one request makes, seen at the driver
   (statements, the RLS ``SET LOCAL``s, BEGIN/ROLLBACK, the pool's pre-ping) and, with
   ``--profile N``, a cProfile of N requests — each in its own app context, as under gunicorn.

6. ``--baseline DIR``: a third gunicorn runs the app from another copy of the package (DIR
   holds ``zerenzhi/``, first on its PYTHONPATH; e.g. the code before a change), answers
   checked like the app's and loaded in the same rotation (app, base, bare, then reversed):
   before and after measured against the same bare route under the same load.

Every process started here is stopped at the end, also on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
UNITS_TOTAL = 60
PAGE = 50


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the bare route (run by gunicorn: throughput:bare_app()) ----------------------------------

BARE_SQL = {
    "token": "SELECT user_id FROM auth_token WHERE token_hash = %s AND revoked_at IS NULL "
             "AND expires_at > now()",
    "tenant": "SELECT id FROM tenant WHERE slug = %s AND kind = 'township' "
              "AND archived_at IS NULL",
    "positions": "SELECT role FROM position WHERE member_id = %s AND ended_at IS NULL",
    "count": "SELECT count(*) FROM org_unit WHERE archived_at IS NULL",
    "page": "SELECT id, code, name, kind, parent_id, archived_at, created_at, updated_at "
            "FROM org_unit WHERE archived_at IS NULL ORDER BY code LIMIT %s OFFSET 0",
}


# The township summary (``GET /api/v1/townships/<t>/obligations/summary``): the same status
# rule as ``zerenzhi.obligations.status`` (entries of the obligation's rule and unit in its
# period, or linked to its event; fulfilled at the ``min_count``-th), hand-written, with the
# obligation's unit; and the township's posts with their holders' names (who answers).
BARE_SUMMARY_SQL = {
    "status": """
WITH hits AS (
  SELECT o.id, o.min_count, f.occurred_at, f.source_type, f.source_id,
         row_number() OVER (PARTITION BY o.id ORDER BY f.occurred_at, f.id) AS n
  FROM obligation o JOIN fulfilment f ON f.tenant_id = o.tenant_id AND f.rule_key = o.rule_key
   AND f.unit_id = o.unit_id AND f.archived_at IS NULL
   AND ((o.trigger_id IS NULL AND f.occurred_on BETWEEN o.period_start AND o.period_end)
        OR f.obligation_id = o.id)
  WHERE o.archived_at IS NULL AND o.period_end >= %(start)s AND o.period_start <= %(end)s),
counts AS (
  SELECT id, max(n) AS done, max(occurred_at) FILTER (WHERE n = min_count) AS at,
         max(source_type) FILTER (WHERE n = min_count) AS by_type,
         max(source_id) FILTER (WHERE n = min_count) AS by_id
  FROM hits GROUP BY id)
SELECT o.id, o.rule_key, o.source_clause, o.rule_version, o.unit_id, u.code, u.name, u.kind,
       u.parent_id, o.slot, o.period_start, o.period_end, o.due_at, o.min_count,
       coalesce(c.done, 0), CASE WHEN coalesce(c.done, 0) >= o.min_count THEN c.at END,
       c.by_type, c.by_id, o.responsible_role, o.trigger_type, o.trigger_id, o.triggered_at,
       o.waived_at, o.waived_by, o.waive_reason,
       CASE WHEN o.waived_at IS NOT NULL THEN 'waived'
            WHEN coalesce(c.done, 0) >= o.min_count THEN 'fulfilled'
            WHEN o.due_at <= %(now)s THEN 'overdue'
            WHEN o.due_at <= %(soon)s THEN 'due_soon' ELSE 'upcoming' END
FROM obligation o LEFT JOIN counts c ON c.id = o.id LEFT JOIN org_unit u ON u.id = o.unit_id
WHERE o.archived_at IS NULL AND o.period_end >= %(start)s AND o.period_start <= %(end)s
ORDER BY o.rule_key, o.unit_id, o.period_start""",
    "posts": "SELECT p.role, p.unit_id, p.started_at, p.ended_at, m.id, m.display_name "
             "FROM position p JOIN member m ON m.id = p.member_id ORDER BY p.started_at",
}
TOWNSHIP_WIDE = frozenset({"secretary", "deputy", "office", "viewer", "tenant_admin",
                           "county_viewer", "county_admin", "platform_admin"})  # not unit-tied


def _iso(value):
    return value.isoformat() if value is not None else None


def bare_summary_body(rows, posts, start, end, now, zone) -> dict:
    """The summary's response from the raw rows, in plain Python: the same keys and values
    as ``zerenzhi.obligations.service.summary`` (titles and role labels are the keys: a
    dict lookup either way)."""
    import datetime as dt

    def holders(role, unit_id, at=None):
        tied = role not in TOWNSHIP_WIDE
        return [{"id": str(m), "name": name} for r, u, started, ended, m, name in posts
                if r == role and not (tied and u != unit_id)
                and (ended is None or ended > now if at is None
                     else started <= at and (ended is None or ended > at))]

    parents = {r[4]: r[8] for r in rows}
    first, direct = holders("secretary", None), holders("deputy", None)
    items = []
    for (oid, rule, source, version, unit_id, code, name, kind, _parent, slot, p_start,
         p_end, due_at, required, done, fulfilled_at, by_type, by_id, role, t_type, t_id,
         t_at, w_at, w_by, w_reason, status) in rows:
        leader, seen, at_unit = [], set(), unit_id
        while at_unit is not None and at_unit not in seen:
            leader = holders("member", at_unit)
            if leader:
                break
            seen.add(at_unit)
            at_unit = parents.get(at_unit)
        committee = kind == "committee"
        items.append({
            "id": str(oid), "rule": rule, "title": rule, "source": source,
            "rule_version": version, "unit_id": str(unit_id), "unit_code": code,
            "unit_name": name, "period": slot if t_id is None else None,
            "period_start": p_start.isoformat(), "period_end": p_end.isoformat(),
            "due_at": due_at.isoformat(),
            "due_on": (due_at.astimezone(zone) - dt.timedelta(microseconds=1)).date()
            .isoformat(),
            "required": required, "done": done,
            "compliance_rate": 1.0 if not required else round(min(done, required) / required,
                                                              4),
            "status": status, "fulfilled_at": _iso(fulfilled_at),
            "evidence": {"type": by_type, "id": by_id} if fulfilled_at else None,
            "responsible_role": role, "responsible_role_label": role,
            "responsible": holders(role, unit_id),
            "responsible_at_due": holders(role, unit_id, due_at) if due_at <= now else None,
            "first_responsible": first if committee else None,
            "directly_responsible": direct if committee else None,
            "portfolio_leader": leader,
            "trigger": None if t_id is None else {"type": t_type, "id": t_id,
                                                  "at": _iso(t_at)},
            "waived": None if w_at is None else {"at": w_at.isoformat(),
                                                 "by": str(w_by) if w_by else None,
                                                 "reason": w_reason},
        })
    counted = [i for i in items if i["status"] != "waived"]
    fulfilled = sum(1 for i in counted if i["status"] == "fulfilled")
    by_rule: dict = {}
    for item in counted:
        entry = by_rule.setdefault(item["rule"], {
            "rule": item["rule"], "title": item["title"], "source": item["source"],
            "obligations": 0, "fulfilled": 0, "overdue": 0})
        entry["obligations"] += 1
        entry["fulfilled"] += item["status"] == "fulfilled"
        entry["overdue"] += item["status"] == "overdue"
    for entry in by_rule.values():
        entry["compliance_rate"] = round(entry["fulfilled"] / entry["obligations"], 4)
    return {"period": "", "period_start": start.isoformat(), "period_end": end.isoformat(),
            "as_of": now.isoformat(), "obligations": len(items), "fulfilled": fulfilled,
            "compliance_rate": round(fulfilled / len(counted), 4) if counted else 1.0,
            "rules": list(by_rule.values()), "items": items,
            "overdue": [i for i in items if i["status"] == "overdue"]}


BARE_SUMMARY_TENANT = ("SELECT id, timezone FROM tenant WHERE slug = %s AND kind = 'township' "
                       "AND archived_at IS NULL")


def bare_app():
    """A minimal Flask app with the routes doing what the real routes do, in raw SQL."""
    import hashlib

    import psycopg
    from flask import Flask, abort, request

    app = Flask("bare")
    conninfo = os.environ["BENCH_BARE_DATABASE_URL"]
    local = threading.local()

    def connection():
        conn = getattr(local, "conn", None)
        if conn is None or conn.closed:
            conn = local.conn = psycopg.connect(conninfo)
        return conn

    def enter(cur, slug):
        """Token, tenant, ``app.tenant_id``, the caller's posts: as the units route."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            abort(401)
        digest = hashlib.sha256(header[7:].encode()).hexdigest()
        user = cur.execute(BARE_SQL["token"], (digest,)).fetchone()
        if user is None:
            abort(401)
        tenant = cur.execute(BARE_SUMMARY_TENANT, (slug,)).fetchone()
        if tenant is None:
            abort(404)
        cur.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant[0]),))
        if not cur.execute(BARE_SQL["positions"], (user[0],)).fetchall():
            abort(404)
        return tenant

    @app.get("/townships/<slug>/obligations/summary")
    def summary(slug):
        import datetime as dt
        from zoneinfo import ZoneInfo

        conn = connection()
        with conn.transaction(), conn.cursor() as cur:
            tenant = enter(cur, slug)
            zone = ZoneInfo(tenant[1])
            today = dt.datetime.now(zone).date()
            start = dt.date(today.year, 1 if today.month <= 6 else 7, 1)
            end = dt.date(today.year, 6, 30) if today.month <= 6 else dt.date(today.year, 12,
                                                                                31)
            now = dt.datetime.now(dt.UTC)
            rows = cur.execute(BARE_SUMMARY_SQL["status"], {
                "start": start, "end": end, "now": now,
                "soon": now + dt.timedelta(days=14)}).fetchall()
            posts = cur.execute(BARE_SUMMARY_SQL["posts"]).fetchall()
        body = bare_summary_body(rows, posts, start, end, now, zone)
        return app.response_class(json.dumps(body, ensure_ascii=False),
                                  mimetype="application/json")

    @app.get("/townships/<slug>/units")
    def units(slug):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            abort(401)
        size = min(int(request.args.get("page_size", 10)), 100)
        digest = hashlib.sha256(header[7:].encode()).hexdigest()
        conn = connection()
        with conn.transaction(), conn.cursor() as cur:
            user = cur.execute(BARE_SQL["token"], (digest,)).fetchone()
            if user is None:
                abort(401)
            tenant = cur.execute(BARE_SQL["tenant"], (slug,)).fetchone()
            if tenant is None:
                abort(404)
            cur.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant[0]),))
            if not cur.execute(BARE_SQL["positions"], (user[0],)).fetchall():
                abort(404)
            total = cur.execute(BARE_SQL["count"]).fetchone()[0]
            rows = cur.execute(BARE_SQL["page"], (size,)).fetchall()
        body = [{"id": str(r[0]), "code": r[1], "name": r[2], "kind": r[3],
                 "parent_id": str(r[4]) if r[4] else None,
                 "archived_at": r[5].isoformat() if r[5] else None,
                 "created_at": r[6].isoformat(), "updated_at": r[7].isoformat()} for r in rows]
        response = app.response_class(json.dumps(body, ensure_ascii=False),
                                      mimetype="application/json")
        response.headers["X-Pagination"] = json.dumps({"total": total})
        return response

    return app


# --- setup ---------------------------------------------------------------------------------------

def libpq_url(url: str) -> str:
    """The SQLAlchemy URL (postgresql+psycopg://...) as a libpq one for raw psycopg."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# The API's rate limit (web/ratelimit.py) stays on — its checks are part of a request's cost —
# with limits this one-token, one-address load never reaches (300/minute would turn most of
# the load into 429s).
RATE_LIMITS = {"RATELIMIT_PER_TOKEN": "10000000/minute",
               "RATELIMIT_PER_ADDRESS": "10000000/minute"}
RATE_LIMITS_ENV = {f"ZERENZHI_{key}": value for key, value in RATE_LIMITS.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_data(cluster, tmp: Path, townships: int):
    """Migrate a database for the installed plugins and make the townships through core."""
    from zerenzhi.app import create_app
    from zerenzhi.migrate import upgrade
    from zerenzhi.orgunits.models import OrgUnit
    from zerenzhi.tenancy.context import TenantRef, tenant_scope
    from zerenzhi.testing import build_world
    from zerenzhi.testing_pg import APP_ROLE

    owner_url, app_url = cluster.create_database("throughput")
    here = os.getcwd()
    os.chdir(tmp)  # create_app makes ./instance
    try:
        app = create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                          "DB_APP_ROLE": APP_ROLE, "TENANTS_DIR": str(tmp / "tenants"),
                          "SECRET_KEY": "bench", **RATE_LIMITS})
    finally:
        os.chdir(here)
    upgrade(owner_url, app.extensions["zerenzhi"].plugins, APP_ROLE)
    worlds = [build_world(app, prefix="tp") for _ in range(townships)]
    world = worlds[len(worlds) // 2]
    for name in app.extensions["zerenzhi"].plugins.installed:  # every module's rules owed
        world.enable(name)
    with app.app_context():
        from zerenzhi.db.session import session

        sess = session()
        with tenant_scope(TenantRef(world.tenant_id, "township", world.slug, world.county_id)):
            have = len(world.units)
            for i in range(have, UNITS_TOTAL):
                sess.add(OrgUnit(code=f"village-x{i:03d}", name=f"村{i}", kind="village",
                                 parent_id=world.units["committee"]))
            sess.commit()  # the new units' obligations are materialised by this commit
            add_entries(sess, world)
            sess.commit()
    analyze(owner_url)
    return app, owner_url, app_url, world


def analyze(owner_url: str) -> None:
    """``ANALYZE`` the freshly loaded database before anything is measured, as autovacuum
    would have long since done on a served one. Without it each side's prepared statements
    were planned on whatever statistics existed when they reached psycopg's prepare
    threshold: the bare summary's status statement took 1.9 ms of PostgreSQL CPU per
    request in some runs and 0.6 ms in others, and the summary's ratio moved with it
    (1.84-1.99x against 3.0x on 2026-12-05)."""
    import psycopg

    with psycopg.connect(libpq_url(owner_url), autocommit=True) as conn:
        conn.execute("ANALYZE")


def add_entries(sess, world) -> None:
    """Ledger entries for the summary's current half-year: of every three periodic obligations
    due by now, two met (``min_count`` entries), one short by one; one in ten of those not yet
    due has one entry. So the summary's status join has rows to count."""
    import datetime as dt
    import uuid

    from sqlalchemy import select

    from zerenzhi.obligations.models import Fulfilment, Obligation

    today = dt.date.today()
    start = dt.date(today.year, 1 if today.month <= 6 else 7, 1)
    end = dt.date(today.year, 6, 30) if today.month <= 6 else dt.date(today.year, 12, 31)
    now = dt.datetime.now(dt.UTC)
    owed = sess.scalars(select(Obligation).where(
        Obligation.archived_at.is_(None), Obligation.trigger_id.is_(None),
        Obligation.period_end >= start, Obligation.period_start <= end)
        .order_by(Obligation.rule_key, Obligation.unit_id)).all()
    for i, obligation in enumerate(owed):
        if obligation.due_at <= now:
            count = obligation.min_count - (1 if i % 3 == 2 else 0)
        else:
            count = 1 if i % 10 == 0 else 0
        day = max(obligation.period_start, start)
        for k in range(count):
            at = dt.datetime.combine(day, dt.time(2, 0), dt.UTC) + dt.timedelta(hours=k)
            sess.add(Fulfilment(rule_key=obligation.rule_key, unit_id=obligation.unit_id,
                                occurred_at=at, occurred_on=day, source_type="bench",
                                source_id=str(uuid.uuid4())))


def round_trips_per_request(app, path: str, headers: dict) -> list[str]:
    """What one request sends to PostgreSQL (the app in this process, same database), seen
    at the driver: every statement psycopg executes (SQLAlchemy's, the RLS ``SET LOCAL``s
    sent beside them, the pool's pre-ping) and its transaction commands (BEGIN, COMMIT,
    ROLLBACK) — each one round trip."""
    import psycopg
    from psycopg._connection_base import BaseConnection

    seen: list[str] = []
    execute, command = psycopg.Cursor.execute, BaseConnection._exec_command

    def traced_execute(cursor, query, *args, **kwargs):
        text = query if isinstance(query, str) else query.as_string(cursor)
        try:
            return execute(cursor, query, *args, **kwargs)
        finally:  # after the BEGIN psycopg sends first, if any
            seen.append(" ".join(text.split())[:110] or "(empty statement)")

    def traced_command(connection, cmd, *args, **kwargs):
        seen.append(bytes(cmd).decode() if isinstance(cmd, bytes) else str(cmd))
        return command(connection, cmd, *args, **kwargs)

    client = app.test_client()
    client.get(path, headers=headers)  # warm caches first
    psycopg.Cursor.execute, BaseConnection._exec_command = traced_execute, traced_command
    try:
        response = client.get(path, headers=headers)
    finally:
        psycopg.Cursor.execute, BaseConnection._exec_command = execute, command
    assert response.status_code == 200, response.status_code
    return ["; (the pool's pre-ping)" if s in (";", "(empty statement)") else s for s in seen]


def profile(app, path: str, headers: dict, requests: int) -> str:
    """cProfile of ``requests`` requests through the app in this process (test client)."""
    import cProfile
    import io
    import pstats

    client = app.test_client()
    for _ in range(20):
        client.get(path, headers=headers)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        client.get(path, headers=headers)
    profiler.disable()
    per = (time.perf_counter() - started) / requests * 1000
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    return f"{per:.1f} ms per request in-process under cProfile\n" + out.getvalue()


class Server:
    """A gunicorn process in its own session, stopped by its own process group."""

    def __init__(self, name: str, argv: list[str], env: dict, log_path: Path) -> None:
        self.name = name
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
        argv = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{self.port}", *argv,
                "--error-logfile", "-"]
        self.proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log(f"{name}: gunicorn pid {self.proc.pid} on 127.0.0.1:{self.port}")

    def wait_ready(self, path: str, headers: dict, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                status, _ = request(self.port, path, headers)
                if status == 200:
                    return
                self.log.flush()
                raise RuntimeError(f"{self.name}: {path} answered {status}; log: "
                                   f"{self.log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready in {timeout}s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()


def request(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- CPU per request (robust to other work sharing the cores) ----------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _proc_stats() -> list[tuple[int, int, int, float]]:
    """(pid, ppid, process group, CPU seconds) of every process, from /proc."""
    out = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out.append((int(entry.name), int(fields[1]), int(fields[2]),
                    (int(fields[11]) + int(fields[12])) / TICK))
    return out


def cpu_sample(server_pgid: int, postmasters: set[int]) -> dict[str, float]:
    """CPU seconds so far of the server's processes (its gunicorn master and workers), of
    the cluster's PostgreSQL processes and of this process (the client)."""
    server = database = 0.0
    for pid, ppid, pgid, seconds in _proc_stats():
        if pgid == server_pgid:
            server += seconds
        elif pid in postmasters or ppid in postmasters:
            database += seconds
    return {"server": server, "database": database, "client": time.process_time()}


def postmaster_pids(cluster) -> set[int]:
    base = getattr(cluster, "_base", None)
    pids = set()
    for pidfile in Path(base).glob("*data/postmaster.pid") if base else ():
        with contextlib.suppress(OSError, ValueError, IndexError):
            pids.add(int(pidfile.read_text().split()[0]))
    return pids


# --- load ------------------------------------------------------------------------------------

def load(port: int, path: str, headers: dict, requests: int, concurrency: int,
         max_seconds: float) -> dict:
    """``requests`` GETs with ``concurrency`` in flight (no sleeps), stopped at
    ``max_seconds``; latency per request, errors = non-200 or exceptions."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + max_seconds

    def worker():
        nonlocal issued
        while True:
            with lock:
                if issued >= requests or time.monotonic() > deadline:
                    return
                issued += 1
            start = time.perf_counter()
            try:
                status, body = request(port, path, headers)
                ok = status == 200 and body[:1] in (b"[", b"{")  # a JSON list or object
                problem = None if ok else f"HTTP {status}"
            except Exception as exc:  # counted, not raised: the load goes on
                problem = type(exc).__name__
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if problem:
                    errors.append(problem)
                else:
                    latencies.append(elapsed)

    started = time.perf_counter()
    with cf.ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] \
            if latencies else float("nan")

    return {"done": len(latencies) + len(errors), "ok": len(latencies), "errors": len(errors),
            "error_kinds": _count(errors), "seconds": wall, "rps": len(latencies) / wall,
            "p50": pct(50), "p99": pct(99), "max": latencies[-1] if latencies else float("nan")}


def _count(items):
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


ROUTES = ("units", "summary")


def paths(route: str, slug: str) -> tuple[str, str]:
    """(the app's path, the bare route's path) of a measured route."""
    if route == "units":
        return (f"/api/v1/townships/{slug}/units?page_size={PAGE}",
                f"/townships/{slug}/units?page_size={PAGE}")
    return (f"/api/v1/townships/{slug}/obligations/summary",
            f"/townships/{slug}/obligations/summary")


def same_answer(route: str, app_body: bytes, bare_body: bytes) -> None:
    """The bare route answers what the app answers (or the comparison means nothing)."""
    app_json, bare_json = json.loads(app_body), json.loads(bare_body)
    if route == "units":
        if len(app_json) != PAGE or [i["code"] for i in app_json] != \
                [i["code"] for i in bare_json]:
            raise RuntimeError("the bare route's page differs from the app's")
        return
    if not app_json["items"]:
        raise RuntimeError("the summary has no items")

    def key(body):  # everything but titles/labels (dict lookups either way) and the period
        return ([{k: v for k, v in i.items() if k not in ("title", "responsible_role_label")}
                 for i in body["items"]],
                [{k: v for k, v in r.items() if k != "title"} for r in body["rules"]],
                body["obligations"], body["fulfilled"], body["compliance_rate"],
                len(body["overdue"]))

    def normalise(value):  # the app's dates in UTC ISO form with +00:00, as the bare's
        return json.loads(json.dumps(value).replace("Z\"", "+00:00\""))

    a, b = normalise(key(app_json)), normalise(key(bare_json))
    if a != b:
        for x, y in zip(a[0], b[0], strict=False):
            if x != y:
                diff = {k: (x.get(k), y.get(k)) for k in x.keys() | y.keys()
                        if x.get(k) != y.get(k)}
                raise RuntimeError(f"the bare summary differs from the app's: {diff}")
        raise RuntimeError(f"the bare summary differs from the app's: {a[1:]} vs {b[1:]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--townships", type=int, default=30)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--routes", default=",".join(ROUTES),
                        help="measured routes, comma-separated: units, summary (both)")
    parser.add_argument("--profile", type=int, default=0,
                        help="also profile this many requests in-process (cProfile)")
    parser.add_argument("--baseline", metavar="DIR",
                        help="also run the app from another copy of the package (a directory "
                             "holding zerenzhi/, put first on PYTHONPATH), as 'base', "
                             "interleaved with the others: before/after on the same load")
    args = parser.parse_args(argv)
    names = ["app", "base", "bare"] if args.baseline else ["app", "bare"]
    routes = [r for r in args.routes.split(",") if r]
    if not routes or set(routes) - set(ROUTES):
        parser.error(f"--routes: some of {', '.join(ROUTES)}")

    def terminate(_signum, _frame):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, terminate)
    from zerenzhi.testing_pg import APP_ROLE, PgCluster

    tmp = Path(tempfile.mkdtemp(prefix="zz-throughput-"))
    (tmp / "tenants").mkdir()
    cluster = None
    servers: list[Server] = []
    results: dict[str, dict[str, list[dict]]] = {
        route: {name: [] for name in names} for route in routes}
    statements: dict[str, list[str]] = {}
    profiled: dict[str, str] = {}
    try:
        log("starting a throw-away PostgreSQL cluster")
        cluster = PgCluster().start()
        started = time.perf_counter()
        app, owner_url, app_url, world = build_data(cluster, tmp, args.townships)
        log(f"{args.townships} townships built in {time.perf_counter() - started:.1f}s; "
            f"measured township {world.slug}")
        token = world.tokens["secretary"]
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        # no app context around them: each request gets its own, as under gunicorn (an
        # outer one would keep one session, and its transaction, open across requests)
        for route in routes:
            app_path = paths(route, world.slug)[0]
            statements[route] = round_trips_per_request(app, app_path, headers)
            if args.profile:
                profiled[route] = profile(app, app_path, headers, args.profile)
        app.extensions["zerenzhi"].db.dispose()
        common = ["-w", str(args.workers), "-k", "sync", "--timeout", "60"]
        app_env = {
            "ZERENZHI_DATABASE_URL": app_url, "ZERENZHI_MIGRATION_DATABASE_URL": owner_url,
            "ZERENZHI_DB_APP_ROLE": APP_ROLE, "ZERENZHI_TENANTS_DIR": str(tmp / "tenants"),
            "ZERENZHI_SECRET_KEY": "bench", **RATE_LIMITS_ENV}
        app_server = Server("app", ["--chdir", str(ROOT), *common, "wsgi:app"], app_env,
                            tmp / "app.log")
        servers.append(app_server)
        servers_by_name = {"app": app_server}
        if args.baseline:
            pythonpath = os.pathsep.join(filter(None, (
                str(Path(args.baseline).resolve()), os.environ.get("PYTHONPATH"))))
            servers_by_name["base"] = Server(
                "base", ["--chdir", str(ROOT), *common, "wsgi:app"],
                {**app_env, "PYTHONPATH": pythonpath}, tmp / "base.log")
            servers.append(servers_by_name["base"])
        bare_server = Server("bare", ["--chdir", str(HERE), *common, "throughput:bare_app()"],
                             {"BENCH_BARE_DATABASE_URL": libpq_url(app_url)}, tmp / "bare.log")
        servers.append(bare_server)
        servers_by_name["bare"] = bare_server
        postmasters = postmaster_pids(cluster)
        for route in routes:
            app_path, bare_path = paths(route, world.slug)
            answers = {}
            targets = {name: bare_path if name == "bare" else app_path for name in names}
            for name, path in targets.items():
                server = servers_by_name[name]
                server.wait_ready(path, headers)
                status, answers[name] = request(server.port, path, headers)
                if status != 200:
                    raise RuntimeError(f"{name} {route}: {status}")
            same_answer(route, answers["app"], answers["bare"])
            if args.baseline:
                same_answer(route, answers["base"], answers["bare"])
            for order in (names, names[::-1]):
                for name in order:
                    server, path = servers_by_name[name], targets[name]
                    load(server.port, path, headers, 100, args.concurrency, 30)  # warm-up
                    log(f"{route} {name}: {args.requests} requests at concurrency "
                        f"{args.concurrency}")
                    before = cpu_sample(server.proc.pid, postmasters)
                    r = load(server.port, path, headers, args.requests, args.concurrency,
                             args.max_seconds)
                    after = cpu_sample(server.proc.pid, postmasters)
                    r["cpu"] = {k: (after[k] - before[k]) / max(r["ok"], 1) * 1000
                                for k in after}
                    results[route][name].append(r)
                    log(f"{route} {name}: {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 "
                        f"{r['p99']:.1f} ms, errors {r['errors']} {r['error_kinds'] or ''}")
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    finally:
        for server in servers:
            server.stop()
        if cluster is not None:
            log("stopping the PostgreSQL cluster")
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    for route in routes:
        report(route, args, results[route], statements[route], profiled.get(route, ""))
    return 0


TARGETS = {"units": 0.5, "summary": 0.5}  # app ≥ 50 % of bare; summary: within 2× of bare
WHAT = {"units": f"authenticated GET of a township's units, page of {PAGE} (of {UNITS_TOTAL})",
        "summary": "authenticated GET of a township's obligations summary (the dashboard)"}
BARE_STATEMENTS = {"units": len(BARE_SQL), "summary": 3 + len(BARE_SUMMARY_SQL)}


def report(route: str, args, results: dict, statements: list[str], profiled: str) -> None:
    names = list(results)
    print()
    print(f"Throughput — {WHAT[route]}, gunicorn {args.workers} sync workers each, PostgreSQL "
          f"as zz_app (RLS on), loopback; {args.requests} requests per run at concurrency "
          f"{args.concurrency} (cap {args.max_seconds:.0f} s), 2 runs each in alternating "
          f"order ({', '.join(names)}, then reversed), best run kept; client in the same "
          f"process on the same 2 cores")
    print("(CPU ms per request: the server's gunicorn processes / the PostgreSQL backends / "
          "the client, from /proc and process_time)")
    header = (f"{'route':<6} {'run':>3} {'requests':>8} {'errors':>6} {'seconds':>7} "
              f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'cpu ms srv/db/cl':>18}")
    print(header)
    print("-" * len(header))
    best = {}
    for name in names:
        for i, r in enumerate(results[name], 1):
            cpu = r["cpu"]
            print(f"{name:<6} {i:>3} {r['done']:>8} {r['errors']:>6} {r['seconds']:7.1f} "
                  f"{r['rps']:7.1f} {r['p50']:7.1f} {r['p99']:7.1f} {r['max']:7.1f} "
                  f"{cpu['server']:6.2f}/{cpu['database']:4.2f}/{cpu['client']:4.2f}")
        best[name] = max(results[name], key=lambda r: r["rps"])
    # the least CPU per request each side spent (server + database): what the throughput
    # ratio would be on cores with nothing else running
    cheapest = {name: min(r["cpu"]["server"] + r["cpu"]["database"] for r in results[name])
                for name in names}
    errors = sum(r["errors"] for rs in results.values() for r in rs)
    ratio = best["app"]["rps"] / best["bare"]["rps"]
    target = TARGETS[route]
    print()
    print(f"best: app {best['app']['rps']:.1f} req/s (p99 {best['app']['p99']:.1f} ms), bare "
          f"{best['bare']['rps']:.1f} req/s (p99 {best['bare']['p99']:.1f} ms): app = "
          f"{ratio:.0%} of bare ({1 / ratio:.2f}× its time) — target ≥ {target:.0%}: "
          f"{'met' if ratio >= target else 'MISSED'}; errors {errors} — target 0: "
          f"{'met' if errors == 0 else 'MISSED'}")
    if "base" in results:
        base = max(results["base"], key=lambda r: r["rps"])
        print(f"baseline: base {base['rps']:.1f} req/s (p99 {base['p99']:.1f} ms) = "
              f"{base['rps'] / best['bare']['rps']:.0%} of bare "
              f"({best['bare']['rps'] / base['rps']:.2f}× its time); app/base = "
              f"{best['app']['rps'] / base['rps']:.2f}")
    for name in names[:-1]:
        print(f"CPU per request (server + database, least of the runs): {name} "
              f"{cheapest[name]:.2f} ms, bare {cheapest['bare']:.2f} ms: bare/{name} = "
              f"{cheapest['bare'] / cheapest[name]:.0%} ({cheapest[name] / cheapest['bare']:.2f}×)")
    print()
    print(f"Round trips to PostgreSQL for one such request, seen at the driver "
          f"({len(statements)}):")
    for statement in statements:
        print(f"  {statement}")
    print(f"(the bare route: BEGIN, {BARE_STATEMENTS[route] + 1} statements, COMMIT = "
          f"{BARE_STATEMENTS[route] + 3})")
    if profiled:
        print()
        print(profiled)


if __name__ == "__main__":
    sys.exit(main())
