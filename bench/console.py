"""Benchmark: the web console's township pages on the demo data (issue 14, "Measured").

    .venv/bin/python bench/console.py [--requests 50] [--user longzhua.secretary]
        [--backend sqlite --backend postgresql]

1. Per backend, a fresh database — an SQLite file in a temp dir, and a database of a throw-away
   PostgreSQL cluster (``zerenzhi.testing_pg.PgCluster``) the app reaches as ``zz_app``, under
   row-level security — migrated with core's runner, then ``tenants apply`` of the repository's
   ``tenants/``: the demo townships, as ``./scripts/serve`` provisions them; PostgreSQL is then
   ``ANALYZE``d as autovacuum would (``--no-analyze``: measured before it).
2. The pages: every GET route of the console and the plugins' page blueprints under
   ``/townships/<township>/`` that takes no other argument (the navigation's pages, the month
   calendar, the forms for a new record...), for the demo township ``longzhua``, as ``--user``
   (default the party secretary, who may read every section), logged in through ``/login``.
3. Server time: each page requested ``--requests`` times (after 3 warm-up requests) through
   the WSGI app in this process (werkzeug's test client: no sockets, so what is measured is the
   app — pipeline, services, SQL, templates); p50 and p95 in milliseconds, and the SQL
   statements one request sends (``zerenzhi.testing.statements``: each one a round trip).
4. Page weight: the HTML plus every stylesheet and script it links, each gzip-compressed at
   level 6 (what a compressing proxy sends), in KB; the static files are counted on every
   page although a browser caches them after the first.

Targets: p50 < 50 ms on PostgreSQL for every page; the heaviest page < 200 KB gzipped.

    .venv/bin/python bench/console.py --county-sizes 30,300 [--requests 20]
        [--backend postgresql]

The county's pages instead (heat map, a township's row, trend, overdue, module figures): for
each size N, the roll-up bench's data (``bench/rollup.py``: ONE county of N townships of 30
units each, 2024–2026, built by ``bench/obligations.py``'s loader), a county viewer added
through the models and logged in through ``/login``, each page timed as above (period 2026H1,
trend 2025H1–2026H2; the township row is the bench's probe township). Targets: heat map of 30
townships p50 < 100 ms on PostgreSQL; every county page < 400 KB gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOWNSHIP = "longzhua"
PASSWORD = "zerenzhi-demo-2026"
P50_TARGET_MS = 50.0
WEIGHT_TARGET_KB = 200.0
WARM_UP = 3
COUNTY_HEAT_TARGET_MS = 100.0  # the heat map of 30 townships, p50 on PostgreSQL
COUNTY_WEIGHT_TARGET_KB = 400.0
ASSETS = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def demo_app(backend: str, tmp: Path, cluster=None, analyze: bool = True):
    """A migrated app on a fresh database with the demo townships; on PostgreSQL analyzed,
    as autovacuum does within a minute of the load (without statistics the planner takes the
    obligations' status query from ~15 ms to ~400 ms: ``--no-analyze`` shows it)."""
    from zerenzhi.app import create_app
    from zerenzhi.commands.tenants import apply_files
    from zerenzhi.migrate import upgrade
    from zerenzhi.testing_pg import APP_ROLE

    if backend == "sqlite":
        owner_url = app_url = f"sqlite:///{tmp / 'console.db'}"
        role = None
    else:
        owner_url, app_url = cluster.create_database("console_bench")
        role = APP_ROLE
    app = create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                      "DB_APP_ROLE": role, "TENANTS_DIR": str(ROOT / "tenants"),
                      "SECRET_KEY": "bench", "ATTACHMENTS_DIR": str(tmp / "attachments")})
    upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)
    with app.app_context():
        apply_files(ROOT / "tenants", echo=lambda _line: None)
    if role is not None and analyze:
        import sqlalchemy

        engine = sqlalchemy.create_engine(owner_url)
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("ANALYZE"))
            conn.commit()
        engine.dispose()
    return app


def township_pages(app) -> list[str]:
    """Every page route under /townships/<township>/ answering GET with no other argument."""
    found = []
    for rule in app.url_map.iter_rules():
        if (rule.rule.startswith("/townships/<township>") and "GET" in (rule.methods or ())
                and set(rule.arguments) == {"township"} and not rule.rule.startswith(
                    "/townships/<township>/api") and not rule.endpoint.startswith("api")
                and (rule.endpoint.startswith("console.") or "_pages." in rule.endpoint)):
            found.append(rule.rule.replace("<township>", TOWNSHIP))
    return sorted(set(found))


def logged_in(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": username, "password": PASSWORD,
                                         "csrf_token": token})
    if answer.status_code != 302:
        raise RuntimeError(f"could not log in as {username}: {answer.status_code}")
    return client


def gzipped_kb(data: bytes) -> float:
    return len(gzip.compress(data, compresslevel=6)) / 1024


def measure(app, username: str, requests: int) -> list[dict]:
    client = logged_in(app, username)
    rows = []
    for path in township_pages(app):
        first = client.get(path)
        if first.status_code in (403, 404):  # not this user's, or a module the township lacks
            rows.append({"path": path, "status": first.status_code})
            continue
        if first.mimetype != "text/html":  # a download (a spreadsheet template), not a page
            rows.append({"path": path, "status": first.mimetype})
            continue
        if first.status_code != 200:
            raise RuntimeError(f"{path}: {first.status_code}")
        rows.append(time_page(app, client, path, first, requests))
    return rows


def time_page(app, client, path: str, first, requests: int) -> dict:
    """p50/p95 of ``requests`` GETs of ``path`` after warming up, its SQL statements and its
    gzipped weight (``first``: the page's first answer, 200)."""
    from zerenzhi.testing.sql import statements

    html = first.get_data()
    assets = {url: client.get(url.split("?")[0]).get_data()
              for url in ASSETS.findall(html.decode())}
    for _ in range(WARM_UP - 1):
        client.get(path)
    with statements(app) as seen:
        client.get(path)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path).get_data()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"path": path, "status": 200, "p50": statistics.median(times),
            "p95": times[max(0, round(0.95 * len(times)) - 1)], "sql": len(seen),
            "html": gzipped_kb(html),
            "static": sum(gzipped_kb(data) for data in assets.values())}

COUNTY_VIEWER = "bench-county.viewer"
COUNTY_PERIOD = "2026H1"  # the roll-up bench's period and trend span
COUNTY_PAGES = (("heat map", "/?period={period}"),
                ("township row", "/townships/{probe}?period={period}"),
                ("trend", "/trend?from=2025H1&to=2026H2"),
                ("overdue", "/overdue"),
                ("module figures", "/metrics?period={period}"))


def add_county_viewer(app, county_slug: str) -> None:
    """A county viewer of the bench's county, as ``tenants apply`` would make one (the roll-up
    bench's loader makes townships and their data, no people)."""
    from sqlalchemy import select

    from zerenzhi.auth.models import Member, Position, UserAccount
    from zerenzhi.auth.passwords import hash_password
    from zerenzhi.db.session import session
    from zerenzhi.tenancy.context import tenant_scope
    from zerenzhi.tenancy.models import Tenant

    with app.app_context():
        db = session()
        county = db.scalars(select(Tenant).where(Tenant.slug == county_slug)).one()
        with tenant_scope(county.ref()):
            account = UserAccount(username=COUNTY_VIEWER, display_name="bench viewer",
                                  password_hash=hash_password(PASSWORD),
                                  home_tenant_id=county.id)
            db.add(account)
            db.flush()
            db.add(Member(id=account.id, display_name=account.display_name))
            db.flush()
            db.add(Position(member_id=account.id, role="county_viewer"))
            db.commit()


def measure_county(sizes: list[int], backends: list[str], requests: int) -> list[dict]:
    """The county pages on the roll-up bench's data, per size and backend."""
    import argparse as ap

    sys.path.insert(0, str(ROOT / "bench"))
    import datagen as dg
    import rollup

    class CountyPages(rollup.RollupBench):
        rows: list[dict] = []

        def measure(self, app, db, probe) -> None:
            slug = dg.county_row(rollup.COUNTY_INDEX)[2]
            add_county_viewer(app, slug)
            client = logged_in(app, COUNTY_VIEWER)
            for name, tail in COUNTY_PAGES:
                path = f"/counties/{slug}" + tail.format(period=COUNTY_PERIOD,
                                                         probe=probe.plan.slug)
                first = client.get(path)
                if first.status_code != 200:
                    raise RuntimeError(f"{path}: {first.status_code}")
                row = time_page(app, client, path, first, requests)
                self.rows.append({**row, "name": name, "size": db.size,
                                  "backend": db.backend})
                log(f"{db.backend} {db.size}: {name} p50 {row['p50']:.1f} ms")

    args = ap.Namespace(sizes=sizes, backends=backends, templates=64, sqlite_analyze=False,
                        what_if=False, repeat=1, warmup=1, norls_below=3000, budget=1.0,
                        explain=False)
    bench = CountyPages(args)
    try:
        for size in sorted(sizes):
            for backend in backends:
                bench.run(backend, size)
    finally:
        bench.close()
    return CountyPages.rows


def print_county(rows: list[dict], requests: int) -> int:
    print()
    print(f"County pages on the roll-up bench's data (one county of N townships × 30 units, "
          f"2024–2026; period {COUNTY_PERIOD}): server time over {requests} requests "
          f"in-process, weight gzip -6 (HTML + linked CSS and JS)")
    header = (f"{'page':<16}{'backend':>11}{'towns':>7}{'p50 ms':>9}{'p95 ms':>9}{'SQL':>5}"
              f"{'HTML KB':>9}{'+CSS/JS KB':>12}{'total KB':>10}")
    print(header)
    print("-" * len(header))
    failures = []
    for row in rows:
        total = row["html"] + row["static"]
        print(f"{row['name']:<16}{row['backend']:>11}{row['size']:>7}{row['p50']:>9.1f}"
              f"{row['p95']:>9.1f}{row['sql']:>5}{row['html']:>9.1f}{row['static']:>12.1f}"
              f"{total:>10.1f}")
        if (row["name"] == "heat map" and row["size"] <= 30 and row["backend"] == "postgresql"
                and row["p50"] >= COUNTY_HEAT_TARGET_MS):
            failures.append(f"heat map of {row['size']}: p50 {row['p50']:.1f} ms")
        if total >= COUNTY_WEIGHT_TARGET_KB:
            failures.append(f"{row['name']} of {row['size']}: {total:.1f} KB gzipped")
    print(f"\ntargets: heat map of 30 townships p50 < {COUNTY_HEAT_TARGET_MS:.0f} ms on "
          f"PostgreSQL; every county page < {COUNTY_WEIGHT_TARGET_KB:.0f} KB gzipped")
    for failure in failures:
        print(f"MISSED: {failure}")
    print("all targets met" if not failures else f"{len(failures)} target(s) missed")
    return 0 if not failures else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--user", default=f"{TOWNSHIP}.secretary")
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"))
    parser.add_argument("--no-analyze", action="store_true",
                        help="measure PostgreSQL before its first ANALYZE (no statistics)")
    parser.add_argument("--county-sizes", type=lambda s: [int(x) for x in s.split(",")],
                        help="time the county's pages on the roll-up bench's data instead, "
                             "at these numbers of townships (e.g. 30,300)")
    args = parser.parse_args(argv)
    if args.county_sizes:
        backends = args.backend or ["postgresql"]
        return print_county(measure_county(args.county_sizes, backends, args.requests),
                            args.requests)
    backends = args.backend or ["sqlite", "postgresql"]

    tmp = Path(tempfile.mkdtemp(prefix="zz-console-bench-"))
    cluster = None
    results: dict[str, list[dict]] = {}
    try:
        for backend in backends:
            if backend == "postgresql":
                from zerenzhi.testing_pg import PgCluster

                log("starting a throw-away PostgreSQL cluster")
                cluster = PgCluster().start()
            log(f"{backend}: migrating and applying the demo tenants")
            app = demo_app(backend, tmp, cluster, analyze=not args.no_analyze)
            log(f"{backend}: {len(township_pages(app))} pages, {args.requests} requests each")
            results[backend] = measure(app, args.user, args.requests)
            app.extensions["zerenzhi"].db.dispose()
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"Console pages of {TOWNSHIP} (demo data) as {args.user}: server time over "
          f"{args.requests} requests in-process, weight gzip -6 (HTML + linked CSS and JS)")
    names = list(results)
    header = f"{'page':<46}" + "".join(f"{b + ' p50':>16}{b + ' p95':>16}{'SQL':>5}"
                                       for b in names) \
        + f"{'HTML KB':>9}{'+CSS/JS KB':>12}{'total KB':>10}"
    print(header)
    print("-" * len(header))
    failures = []
    for index, row in enumerate(results[names[0]]):
        path = row["path"].replace(f"/townships/{TOWNSHIP}", "") or "/"
        if row["status"] != 200:
            why = "for this user" if isinstance(row["status"], int) else "not a page"
            print(f"{path:<46} ({row['status']}: {why})")
            continue
        line = f"{path:<46}"
        for backend in names:
            other = results[backend][index]
            line += f"{other['p50']:>13.1f} ms{other['p95']:>13.1f} ms{other['sql']:>5}"
            if backend == "postgresql" and other["p50"] >= P50_TARGET_MS:
                failures.append(f"{path}: p50 {other['p50']:.1f} ms on PostgreSQL")
        total = row["html"] + row["static"]
        line += f"{row['html']:>9.1f}{row['static']:>12.1f}{total:>10.1f}"
        if total >= WEIGHT_TARGET_KB:
            failures.append(f"{path}: {total:.1f} KB gzipped")
        print(line)
    measured = [r for r in results[names[0]] if r["status"] == 200]
    heaviest = max(measured, key=lambda r: r["html"] + r["static"])
    print()
    print(f"heaviest page: {heaviest['path']} at {heaviest['html'] + heaviest['static']:.1f} "
          f"KB gzipped (target < {WEIGHT_TARGET_KB:.0f}); target p50 < {P50_TARGET_MS:.0f} ms "
          f"on PostgreSQL")
    for failure in failures:
        print(f"MISSED: {failure}")
    print("all targets met" if not failures else f"{len(failures)} target(s) missed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
