"""The per-request pipeline stays cheap without weakening anything: one transaction per
request, RLS settings that always match the tenant context, and nothing cached that
could outlive a change (archived township, disabled account)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, select, text

from zerenzhi.auth.models import UserAccount
from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant


@pytest.fixture
def pg_only(zz_backend):
    if zz_backend == "sqlite":
        pytest.skip("row-level security is PostgreSQL's")


def test_a_township_request_is_one_transaction(township):
    engine = township.app.extensions["zerenzhi"].db.engine
    begun: list[object] = []

    def count(conn) -> None:
        begun.append(conn)

    client = township.client("secretary")
    client.get(f"{township.base}/units").assert_status(200)  # warm
    event.listen(engine, "begin", count)
    try:
        page = client.get(f"{township.base}/units?page_size=2").assert_status(200)
    finally:
        event.remove(engine, "begin", count)
    assert len(begun) == 1
    assert len(page.json) == 2
    assert f'"total": {len(township.units)}' in page.headers["X-Pagination"]


def test_archived_township_answers_404_at_once(township):
    client = township.client("secretary")
    client.get(f"{township.base}/units").assert_status(200)
    with township.scope() as sess:
        sess.get(Tenant, township.tenant_id).archived_at = utcnow()
        sess.commit()
    client.get(f"{township.base}/units").assert_status(404)


def test_disabled_account_is_refused_with_a_live_token(township):
    client = township.client("secretary")
    client.get(f"{township.base}/units").assert_status(200)
    with township.scope() as sess:
        sess.get(UserAccount, township.users["secretary"]).disabled_at = utcnow()
        sess.commit()
    client.get(f"{township.base}/units").assert_status(401)
    client.get("/api/v1/me").assert_status(401)


def test_page_past_the_end_still_counts(township):
    client = township.client("secretary")
    page = client.get(f"{township.base}/units?page=99&page_size=100").assert_status(200)
    assert page.json == []
    assert f'"total": {len(township.units)}' in page.headers["X-Pagination"]


def test_rls_follows_the_context_after_a_savepoint_rollback(pg_only, township,
                                                           other_township):
    """A SET LOCAL made inside a savepoint is undone with it: the next statement in the
    same context must set it again, not trust what was sent."""
    with township.scope() as sess:
        other = sess.get(Tenant, other_township.tenant_id).ref()
        sess.execute(text("SELECT count(*) FROM org_unit"))
        savepoint = sess.begin_nested()
        sess.execute(text("SELECT 1"))  # SAVEPOINT is sent with the first statement in it
        with tenant_scope(other):
            sess.execute(text("SELECT count(*) FROM org_unit"))  # set inside the savepoint
            savepoint.rollback()  # ... and undone by PostgreSQL
            seen = set(sess.execute(text("SELECT DISTINCT tenant_id FROM org_unit")).scalars())
    assert {uuid.UUID(str(t)) for t in seen} == {other_township.tenant_id}


def test_a_new_transaction_starts_with_no_tenant(pg_only, township):
    """The settings are SET LOCAL: after a commit, a statement with no tenant in context
    sees nothing, even on the same connection."""
    with township.app.app_context():
        sess = session()
        with tenant_scope(sess.get(Tenant, township.tenant_id).ref()):
            assert sess.execute(text("SELECT count(*) FROM org_unit")).scalar() > 0
            sess.commit()
        assert sess.execute(text("SELECT count(*) FROM org_unit")).scalar() == 0
        assert sess.scalar(select(Tenant.id).where(Tenant.id == township.tenant_id))


def test_prepared_statements_keep_townships_apart(township, other_township):
    """Read-only requests end with COMMIT, so the driver keeps its prepared statements (it
    prepares a statement on its fifth run): each township still sees only its own units."""
    mine, theirs = township.client("secretary"), other_township.client("secretary")
    for _ in range(8):
        ours = {u["id"] for u in mine.get(f"{township.base}/units").assert_status(200).json}
        other = {u["id"] for u in theirs.get(f"{other_township.base}/units")
                 .assert_status(200).json}
        assert ours == {str(i) for i in township.units.values()}
        assert other == {str(i) for i in other_township.units.values()}
        mine.get(f"{other_township.base}/units").assert_status(404)


def test_a_failed_write_is_rolled_back_not_committed(township):
    """Only a transaction that ran plain SELECTs is committed at teardown."""
    from sqlalchemy import func

    from zerenzhi.orgunits.models import OrgUnit

    with township.scope() as sess:
        before = sess.scalar(select(func.count()).select_from(OrgUnit))
    with township.scope() as sess:
        sess.add(OrgUnit(code="left-open", name="x", kind="branch",
                         parent_id=township.units["committee"]))
        sess.flush()  # written, never committed
    with township.scope() as sess:
        assert sess.scalar(select(func.count()).select_from(OrgUnit)) == before
