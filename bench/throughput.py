"""Benchmark: an authenticated township GET through the real service under gunicorn, against a
bare Flask route running the equivalent raw SQL (issue 8, item 5, second half).

    .venv/bin/python bench/throughput.py [--townships 30] [--requests 2000]
        [--concurrency 8] [--max-seconds 120] [--workers 2]

1. A throw-away PostgreSQL cluster (``zerenzhi.testing_pg.PgCluster``), one database migrated with
   core's runner for the installed plugins, and ``--townships`` townships (each with its own
   county, org tree and one user per role) made with ``zerenzhi.testing.build_world`` — core's
   services, tokens from ``zerenzhi.auth.service.issue_token_for``. The measured township gets
   60 units in all, so ``?page_size=50`` returns a full page of 50.
2. The real service: ``sys.executable -m gunicorn --chdir /work/main -w 2 -b 127.0.0.1:<free
   port> wsgi:app`` with ZERENZHI_DATABASE_URL = the app role's URL (``zz_app``: row-level
   security in the path), ZERENZHI_MIGRATION_DATABASE_URL = the owner's, ZERENZHI_DB_APP_ROLE
   = zz_app and ZERENZHI_TENANTS_DIR = an empty temp dir (no demo tenants). Measured:
   ``GET /api/v1/townships/<t>/units?page_size=50`` with ``Authorization: Bearer <token>``.
3. The bare route: this file's ``bare_app()``, also under gunicorn with the same workers on
   another free port: per request, on one psycopg connection per worker as ``zz_app``, the
   equivalent raw SQL — token lookup, tenant by slug, ``SET LOCAL app.tenant_id``, the
   user's positions in the township, ``count(*)`` and the first 50 units by code — returned
   as the same JSON list (plus the X-Pagination header's total).
4. Load: a Python client in this process (threads, ``http.client``, a new loopback connection
   per request as gunicorn's sync workers close them), ``--concurrency`` requests in flight,
   no sleeps, bounded by ``--requests`` and ``--max-seconds``, after 100 warm-up requests;
   the two servers are measured one after the other, then again in the other order, and the
   better of each is kept (noise on a shared machine only ever makes a run slower).
5. Before the load, in this process: the round trips one request makes, seen at the driver
   (statements, the RLS ``SET LOCAL``s, BEGIN/ROLLBACK, the pool's pre-ping) and, with
   ``--profile N``, a cProfile of N requests — each in its own app context, as under gunicorn.

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


def bare_app():
    """A minimal Flask app with one route doing what the real route does, in raw SQL."""
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
                          "SECRET_KEY": "bench"})
    finally:
        os.chdir(here)
    upgrade(owner_url, app.extensions["zerenzhi"].plugins, APP_ROLE)
    worlds = [build_world(app, prefix="tp") for _ in range(townships)]
    world = worlds[len(worlds) // 2]
    with app.app_context():
        from zerenzhi.db.session import session

        sess = session()
        with tenant_scope(TenantRef(world.tenant_id, "township", world.slug, world.county_id)):
            have = len(world.units)
            for i in range(have, UNITS_TOTAL):
                sess.add(OrgUnit(code=f"village-x{i:03d}", name=f"村{i}", kind="village",
                                 parent_id=world.units["committee"]))
            sess.commit()
    return app, owner_url, app_url, world


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
                ok = status == 200 and body.startswith(b"[")
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--townships", type=int, default=30)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", type=int, default=0,
                        help="also profile this many requests in-process (cProfile)")
    args = parser.parse_args(argv)

    def terminate(_signum, _frame):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, terminate)
    from zerenzhi.testing_pg import APP_ROLE, PgCluster

    tmp = Path(tempfile.mkdtemp(prefix="zz-throughput-"))
    (tmp / "tenants").mkdir()
    cluster = None
    servers: list[Server] = []
    results: dict[str, list[dict]] = {"app": [], "bare": []}
    try:
        log("starting a throw-away PostgreSQL cluster")
        cluster = PgCluster().start()
        started = time.perf_counter()
        app, owner_url, app_url, world = build_data(cluster, tmp, args.townships)
        log(f"{args.townships} townships built in {time.perf_counter() - started:.1f}s; "
            f"measured township {world.slug}")
        token = world.tokens["secretary"]
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        app_path = f"/api/v1/townships/{world.slug}/units?page_size={PAGE}"
        bare_path = f"/townships/{world.slug}/units?page_size={PAGE}"
        # no app context around them: each request gets its own, as under gunicorn (an
        # outer one would keep one session, and its transaction, open across requests)
        statements = round_trips_per_request(app, app_path, headers)
        profiled = profile(app, app_path, headers, args.profile) if args.profile else ""
        app.extensions["zerenzhi"].db.dispose()
        common = ["-w", str(args.workers), "-k", "sync", "--timeout", "60"]
        app_server = Server("app", ["--chdir", str(ROOT), *common, "wsgi:app"], {
            "ZERENZHI_DATABASE_URL": app_url, "ZERENZHI_MIGRATION_DATABASE_URL": owner_url,
            "ZERENZHI_DB_APP_ROLE": APP_ROLE, "ZERENZHI_TENANTS_DIR": str(tmp / "tenants"),
            "ZERENZHI_SECRET_KEY": "bench"}, tmp / "app.log")
        servers.append(app_server)
        bare_server = Server("bare", ["--chdir", str(HERE), *common, "throughput:bare_app()"],
                             {"BENCH_BARE_DATABASE_URL": libpq_url(app_url)}, tmp / "bare.log")
        servers.append(bare_server)
        targets = {"app": (app_server, app_path), "bare": (bare_server, bare_path)}
        for name, (server, path) in targets.items():
            server.wait_ready(path, headers)
            status, body = request(server.port, path, headers)
            items = json.loads(body)
            if status != 200 or len(items) != PAGE:
                raise RuntimeError(f"{name}: {status}, {len(items)} items")
        app_codes = [i["code"] for i in json.loads(request(app_server.port, app_path,
                                                           headers)[1])]
        bare_codes = [i["code"] for i in json.loads(request(bare_server.port, bare_path,
                                                            headers)[1])]
        if app_codes != bare_codes:
            raise RuntimeError("the bare route's page differs from the app's")
        for order in (("app", "bare"), ("bare", "app")):
            for name in order:
                server, path = targets[name]
                load(server.port, path, headers, 100, args.concurrency, 30)  # warm-up
                log(f"{name}: {args.requests} requests at concurrency {args.concurrency}")
                results[name].append(load(server.port, path, headers, args.requests,
                                          args.concurrency, args.max_seconds))
                r = results[name][-1]
                log(f"{name}: {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 "
                    f"{r['p99']:.1f} ms, errors {r['errors']}")
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

    print()
    print(f"Throughput — authenticated GET of a township's units, page of {PAGE} (of "
          f"{UNITS_TOTAL}), gunicorn {args.workers} sync workers each, PostgreSQL as zz_app "
          f"(RLS on), loopback; {args.requests} requests per run at concurrency "
          f"{args.concurrency} (cap {args.max_seconds:.0f} s), 2 runs each in alternating "
          f"order, best run kept; client in the same process on the same 2 cores")
    header = (f"{'route':<6} {'run':>3} {'requests':>8} {'errors':>6} {'seconds':>7} "
              f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    print(header)
    print("-" * len(header))
    best = {}
    for name in ("app", "bare"):
        for i, r in enumerate(results[name], 1):
            print(f"{name:<6} {i:>3} {r['done']:>8} {r['errors']:>6} {r['seconds']:7.1f} "
                  f"{r['rps']:7.1f} {r['p50']:7.1f} {r['p99']:7.1f} {r['max']:7.1f}")
        best[name] = max(results[name], key=lambda r: r["rps"])
    errors = sum(r["errors"] for rs in results.values() for r in rs)
    ratio = best["app"]["rps"] / best["bare"]["rps"]
    print()
    print(f"best: app {best['app']['rps']:.1f} req/s (p99 {best['app']['p99']:.1f} ms), bare "
          f"{best['bare']['rps']:.1f} req/s (p99 {best['bare']['p99']:.1f} ms): app = "
          f"{ratio:.0%} of bare — target ≥ 40 %: {'met' if ratio >= 0.4 else 'MISSED'}; "
          f"errors {errors} — target 0: {'met' if errors == 0 else 'MISSED'}")
    print()
    print(f"Round trips to PostgreSQL for one such request, seen at the driver "
          f"({len(statements)}):")
    for statement in statements:
        print(f"  {statement}")
    print(f"(the bare route: BEGIN, {len(BARE_SQL) + 1} statements, COMMIT = "
          f"{len(BARE_SQL) + 3})")
    if profiled:
        print()
        print(profiled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
