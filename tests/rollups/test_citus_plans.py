"""What each roll-up becomes on Citus (issue 18, item 6), read from the plans of the
statements the services really send, on the ``citus`` backend (a coordinator and two
workers): a township's request goes to one shard (router), a county's grouped views are
grouped on every shard (pushed down, no intermediate results), and the overdue page is cut
on every shard instead of pulling every still-owed row of the county to the coordinator.
The last test shows the single-server form of that page doing exactly that, so the check
can fail."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from zerenzhi.db.session import session as current_session
from zerenzhi.obligations.models import Obligation
from zerenzhi.obligations.periods import parse
from zerenzhi.rollups import queries, service
from zerenzhi.tenancy.context import county_read_scope, tenant_scope
from zerenzhi.tenancy.models import Tenant

NOW = dt.datetime(2026, 7, 10, 1, tzinfo=dt.UTC)
H1 = parse("2026H1")


@pytest.fixture
def cluster_app(app, zz_backend):
    if zz_backend != "citus":
        pytest.skip("plans of a distributed database: the citus backend")
    return app


@contextmanager
def sent(app):
    """The (statement, parameters) the app sends while the block runs."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and "pg_" not in statement:
            seen.append((statement, parameters))

    engine = app.extensions["zerenzhi"].db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def tasks(found: str) -> int:
    return int(re.search(r"Task Count: (\d+)", found).group(1))


def plan(session, statement: str, parameters) -> str:
    rows = session.connection().exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return "\n".join(row[0] for row in rows)


def more_townships(world, count: int = 7) -> None:
    """Townships enough in the world's county to land on several of the test cluster's four
    shards: with one, Citus prunes a county view to that township's shard."""
    from zerenzhi.provisioning.service import create_township

    with world.app.app_context():
        session = current_session()
        county = session.get(Tenant, world.county_id)
        for n in range(count):
            create_township(session, county, f"{world.slug}-{n}", f"鎮{n}",
                            live_from=dt.date(2025, 1, 1))
        session.commit()


def county_plans(world, work) -> list[str]:
    """The plans of every statement on ``obligation`` that ``work(session, county)`` sends,
    explained in the county's read scope."""
    more_townships(world)
    with world.app.app_context():
        session = current_session()
        county = session.get(Tenant, world.county_id).ref()
        with sent(world.app) as seen:
            work(session, county)
        with county_read_scope(county):
            return [plan(session, statement, parameters) for statement, parameters in seen
                    if "FROM obligation" in statement]


def test_a_township_request_runs_on_one_shard(cluster_app, township):
    with cluster_app.app_context():
        session = current_session()
        ref = session.get(Tenant, township.tenant_id).ref()
        with tenant_scope(ref), sent(cluster_app) as seen:
            session.execute(select(Obligation.rule_key).limit(5)).all()
        with tenant_scope(ref):
            found = plan(session, *seen[-1])
    assert "Task Count: 1" in found, found  # Citus's router: one worker, the whole statement


def test_county_compliance_and_trend_are_grouped_on_every_shard(cluster_app, township):
    def work(session, county):
        service.compliance(session, county, H1, NOW)
        service.trend(session, county, [H1], NOW)

    plans = county_plans(township, work)
    assert len(plans) == 2
    for found in plans:
        assert tasks(found) > 1, found  # the townships' shards, several
        assert "Distributed Subplan" not in found, found
        task = found.split("->  Task", 1)[1]
        assert "Aggregate" in task and "obligation_" in task, found  # grouped on the shard


def test_the_overdue_page_is_cut_on_every_shard(cluster_app, township):
    plans = county_plans(township, lambda session, county: service.overdue(
        session, county, NOW, limit=50))
    assert len(plans) == 2  # the page, then the total
    page, total = plans
    assert tasks(page) > 1, page
    assert "Distributed Subplan" not in page + total, page + total
    assert "Limit" in page.split("->  Task", 1)[1], page  # each shard sends its first 50
    assert "Aggregate" in total.split("->  Task", 1)[1], total  # each shard sends a count


def test_a_window_over_the_county_would_pull_every_owed_row(cluster_app, township):
    """The page and its total in one pass (``count(*) OVER ()``, as it once was): Citus must
    gather every still-owed row into an intermediate result first. The overdue view avoids
    it by counting apart."""
    def work(session, county):
        with county_read_scope(county):
            query = queries.overdue(NOW)
            keys = query.with_only_columns(Obligation.id, func.count().over()).order_by(
                Obligation.due_at).limit(50).subquery()
            session.execute(select(Obligation.rule_key).join(
                keys, Obligation.id == keys.c.id)).all()

    plans = county_plans(township, work)
    assert any("Distributed Subplan" in found for found in plans), plans


def test_a_small_county_is_pruned_to_its_townships_shards(cluster_app, township):
    """The county's township ids are a list (decision 0029): a county of one township reads
    one shard, not all four."""
    with cluster_app.app_context():
        session = current_session()
        county = session.get(Tenant, township.county_id).ref()
        with sent(cluster_app) as seen:
            service.compliance(session, county, H1, NOW)
        with county_read_scope(county):
            found = [plan(session, *item) for item in seen if "FROM obligation" in item[0]]
    assert len(found) == 1 and "Task Count: 1" in found[0], found
