"""The county's module figures (``zerenzhi.rollups.service.metrics``, what
``GET /counties/<county>/rollup/metrics`` serves) on one county of N townships, every built-in
module enabled with its demo data: the set-based metrics (decision 0034) against the
per-township loop they replace, both against a floor measured in the same run.

* **after**: the service as it is — each built-in metric's ``compute_for_townships`` once,
  inside the county's read scope.
* **before**: the same service with every metric's set-based form removed
  (``dataclasses.replace(metric, compute_for_townships=None)``), i.e. each metric's
  ``compute`` in each township's scope, as before decision 0034.
* **floor**: bare SQL reading every table the metrics read once, as the county does — one
  ``SELECT tenant_id, count(*) … GROUP BY tenant_id`` per table, through the county read
  policy on PostgreSQL (``app.county_id`` set), through a list of the county's townships on
  SQLite — no ORM, no Python per row.

The answers of *before* and *after* are compared township by township before timing. The
data: one township built through the app (units, people, modules enabled, each module's
``demo_data``), then copied N-1 times by SQL (every tenant table's rows under a new
``tenant_id``; ids stay, keys are ``(tenant_id, id)``), all in one county. The clock stands
at 2026-09-15 09:00 Asia/Shanghai (``time_machine``, ticking). Statements are counted at the
cursor. Usage::

    .venv/bin/python bench/metrics.py                      # 30,300 townships, both backends
    .venv/bin/python bench/metrics.py --sizes 30 --backends sqlite --repeat 3
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import time_machine
from sqlalchemy import event, text

NOW = "2026-09-15T09:00:00+08:00"
PERIOD = "2026"
BUILT_IN = ("accountability", "analysis", "approvals", "assessment", "inspection", "platforms",
            "reporting", "study")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _app(owner_url: str, app_url: str, role: str | None, tmp: Path):
    from zerenzhi.app import create_app
    from zerenzhi.migrate import upgrade

    here = os.getcwd()
    os.chdir(tmp)  # create_app makes ./instance: keep it out of the checkout
    try:
        app = create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                          "DB_APP_ROLE": role, "TESTING": True, "SECRET_KEY": "bench"},
                         plugins=[], load_entrypoints=True)
    finally:
        os.chdir(here)
    upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)
    return app


def _template(app) -> tuple[uuid.UUID, uuid.UUID]:
    """A county and its first township, built through the app, every module with its demo
    data."""
    from zerenzhi.auth.models import Member, Position, UserAccount
    from zerenzhi.db.session import session
    from zerenzhi.obligations.materialize import materialise
    from zerenzhi.orgunits.models import OrgUnit
    from zerenzhi.orgunits.service import root_unit
    from zerenzhi.plugin_host.models import TenantPlugin
    from zerenzhi.plugin_host.service import load_demo_data
    from zerenzhi.provisioning.service import create_county, create_township
    from zerenzhi.tenancy.context import tenant_scope
    from zerenzhi.testing.world import LIVE_FROM, ROLE_UNITS, UNITS

    with app.test_request_context():
        sess = session()
        county = create_county(sess, "bench-county", "示範縣")
        town = create_township(sess, county, "bench-0", "鎮0", live_from=LIVE_FROM)
        with tenant_scope(town.ref()):
            units = {"committee": root_unit(sess).id}
            for code, name, kind, parent in UNITS:
                unit = OrgUnit(code=code, name=name, kind=kind, parent_id=units[parent])
                sess.add(unit)
                sess.flush()
                units[code] = unit.id
            for role, code in ROLE_UNITS.items():
                account = UserAccount(username=f"bench-{role}", password_hash="x",
                                      display_name=role, home_tenant_id=town.id)
                sess.add(account)
                sess.flush()
                sess.add(Member(id=account.id, display_name=role))
                sess.flush()
                sess.add(Position(member_id=account.id, role=role, unit_id=units[code]))
            for plugin in BUILT_IN:
                sess.add(TenantPlugin(plugin=plugin, enabled=True, settings={}))
            sess.flush()
            materialise(sess, since=LIVE_FROM)
            load_demo_data(sess)
        sess.commit()
        return county.id, town.id


def _copy(owner_url: str, template: uuid.UUID, size: int) -> None:
    """Townships 1..size-1: the template's tenant row and every tenant table's rows under
    new ids, in one statement per table."""
    from zerenzhi.db.base import Base
    from zerenzhi.db.session import make_engine
    from zerenzhi.testing.owners import REFERENCE_TABLES

    engine = make_engine(owner_url)
    postgresql = engine.dialect.name == "postgresql"
    tables = [t for t in Base.metadata.sorted_tables
              if "tenant_id" in t.c and t.name not in REFERENCE_TABLES]
    try:
        with engine.begin() as conn:
            clones = [uuid.uuid4() for _ in range(size - 1)]
            conn.exec_driver_sql("CREATE TEMPORARY TABLE zz_clone (n integer, id uuid)"
                                 if postgresql else
                                 "CREATE TEMPORARY TABLE zz_clone (n integer, id char(32))")
            conn.execute(text("INSERT INTO zz_clone (n, id) VALUES (:n, :id)"),
                         [{"n": n, "id": c if postgresql else c.hex}
                          for n, c in enumerate(clones, 1)])
            cols = [c.name for c in Base.metadata.tables["tenant"].c]
            pick = ", ".join({"id": "c.id", "slug": "'bench-' || c.n",
                              "name": "'鎮' || c.n"}.get(name, f't."{name}"') for name in cols)
            template_id = template if postgresql else template.hex
            conn.execute(text(
                f'INSERT INTO tenant ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
                f"SELECT {pick} FROM tenant t CROSS JOIN zz_clone c WHERE t.id = :t"),
                {"t": template_id})
            for table in tables:
                names = [c.name for c in table.c]
                quoted = ", ".join(f'"{n}"' for n in names)
                pick = ", ".join("c.id" if n == "tenant_id" else f'r."{n}"' for n in names)
                if postgresql:
                    conn.exec_driver_sql(f'ALTER TABLE "{table.name}" NO FORCE ROW LEVEL '
                                         f"SECURITY")
                conn.execute(text(f'INSERT INTO "{table.name}" ({quoted}) SELECT {pick} '
                                  f'FROM "{table.name}" r CROSS JOIN zz_clone c '
                                  f"WHERE r.tenant_id = :t"), {"t": template_id})
                if postgresql:
                    conn.exec_driver_sql(f'ALTER TABLE "{table.name}" FORCE ROW LEVEL SECURITY')
        if postgresql:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()


def _tables(app) -> list[str]:
    from zerenzhi.db.base import Base, CountyReadable

    return sorted(m.local_table.name for m in Base.registry.mappers
                  if issubclass(m.class_, CountyReadable)
                  and m.class_.__module__.startswith("zerenzhi.plugins."))


def _floor(app, county_id: uuid.UUID) -> None:
    from zerenzhi.db.session import session

    sess = session()
    conn = sess.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL app.tenant_id = '{county_id}'; "
                             f"SET LOCAL app.county_id = '{county_id}'")
        where = ""
    else:
        where = f" WHERE tenant_id IN (SELECT id FROM tenant WHERE county_id = '{county_id.hex}')"
    for table in _tables(app):
        conn.exec_driver_sql(f'SELECT tenant_id, count(*) FROM "{table}"{where} '
                             f"GROUP BY tenant_id").all()
    sess.rollback()


def _service(app, county, period):
    from zerenzhi.db.session import session
    from zerenzhi.rollups import service

    return service.metrics(session(), county, period)


def _timed(app, run, repeat: int) -> tuple[float, int, object]:
    engine = app.extensions["zerenzhi"].db.engine
    seen: list[str] = []

    def note(*_args) -> None:
        seen.append("")

    times, result = [], None
    for n in range(repeat + 1):  # the first one warms caches, untimed
        seen.clear()
        event.listen(engine, "before_cursor_execute", note)
        with app.test_request_context():
            started = time.perf_counter()
            result = run()
            elapsed = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", note)
        if n:
            times.append(elapsed)
    return statistics.median(times) * 1000, len(seen), result


def _values(result) -> dict:
    return {row["township"]["slug"]: (row["values"], row["failed"], row["disabled"])
            for row in result["townships"]}


def measure(backend: str, size: int, repeat: int, tmp: Path, cluster) -> dict:
    from zerenzhi.db.session import session
    from zerenzhi.obligations.periods import parse
    from zerenzhi.tenancy.models import Tenant

    if backend == "sqlite":
        url = f"sqlite:///{tmp / f'metrics{size}.db'}"
        owner_url, app_url, role = url, url, None
    else:
        from zerenzhi.testing_pg import APP_ROLE

        owner_url, app_url = cluster.create_database(f"metrics{size}")
        role = APP_ROLE
    started = time.perf_counter()
    app = _app(owner_url, app_url, role, tmp)
    county_id, template = _template(app)
    _copy(owner_url, template, size)
    log(f"{backend} {size}: built in {time.perf_counter() - started:.0f} s")
    with app.app_context():
        county = session().get(Tenant, county_id).ref()
        session().rollback()
    period = parse(PERIOD)
    registry = app.extensions["zerenzhi"]
    after_ms, after_n, after = _timed(app, lambda: _service(app, county, period), repeat)
    set_based = registry.metrics
    registry.metrics = {key: (plugin, dataclasses.replace(metric, compute_for_townships=None))
                        for key, (plugin, metric) in set_based.items()}
    try:
        before_ms, before_n, before = _timed(app, lambda: _service(app, county, period), repeat)
    finally:
        registry.metrics = set_based
    floor_ms, floor_n, _ = _timed(app, lambda: _floor(app, county_id), repeat)
    if _values(after) != _values(before):
        raise SystemExit(f"{backend} {size}: set-based and per-township answers differ")
    rows = _values(after)
    if len(rows) != size or any(failed for _v, failed, _d in rows.values()):
        raise SystemExit(f"{backend} {size}: {len(rows)} townships, or a metric failed")
    return {"backend": backend, "size": size, "before": before_ms, "before_n": before_n,
            "after": after_ms, "after_n": after_n, "floor": floor_ms, "floor_n": floor_n}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30,300")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="zz-metrics-"))
    cluster = None
    results = []
    try:
        with time_machine.travel(NOW, tick=True):
            for backend in args.backends.split(","):
                if backend == "postgresql" and cluster is None:
                    from zerenzhi.testing_pg import PgCluster

                    cluster = PgCluster().start()
                for size in (int(s) for s in args.sizes.split(",")):
                    results.append(measure(backend, size, args.repeat, tmp, cluster))
                    r = results[-1]
                    log(f"{backend} {size}: after {r['after']:.1f} ms, before "
                        f"{r['before']:.1f} ms, floor {r['floor']:.1f} ms")
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"county module figures, period {PERIOD}, median of {args.repeat} runs "
          f"(statements in brackets)\n")
    print("| backend | townships | before (per township) | after (set-based) | floor | "
          "before / floor | after / floor | before / after |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['backend']} | {r['size']} | {r['before']:.1f} ms ({r['before_n']}) | "
              f"{r['after']:.1f} ms ({r['after_n']}) | {r['floor']:.1f} ms ({r['floor_n']}) | "
              f"{r['before'] / r['floor']:.1f}x | {r['after'] / r['floor']:.1f}x | "
              f"{r['before'] / r['after']:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
