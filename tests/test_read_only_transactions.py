"""Which statements only read (``zerenzhi.db.session.reads_only``, decision 0035): a
transaction of reads ends in COMMIT at teardown (psycopg keeps its prepared statements), any
other in ROLLBACK. A ``WITH … SELECT`` is a read; a data-modifying CTE, DML with or without
RETURNING, a row lock, a savepoint or any ``WITH`` written as text is not."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.dialects import postgresql

from zerenzhi.db.session import READ_ONLY, close_session, reads_only, session
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant


def _sent(statement):
    """(SQL text, execution context) as the engine's before_cursor_execute sees them."""
    compiled = statement.compile(dialect=postgresql.psycopg.dialect())
    return str(compiled), SimpleNamespace(compiled=compiled)


def _cte_read():
    counted = select(OrgUnit.kind, func.count().label("n")).group_by(OrgUnit.kind) \
        .cte("counted")
    return select(counted.c.kind, counted.c.n)


def _cte_write():
    renamed = update(OrgUnit).values(name="x").returning(OrgUnit.id).cte("renamed")
    return select(renamed.c.id)


@pytest.mark.parametrize(("label", "statement", "read"), [
    ("select", select(OrgUnit.id), True),
    ("WITH … SELECT", _cte_read(), True),
    ("union", select(OrgUnit.id).union_all(select(OrgUnit.parent_id)), True),
    ("data-modifying CTE", _cte_write(), False),
    ("data-modifying CTE, materialized", select(
        update(OrgUnit).values(name="x").returning(OrgUnit.id)
        .cte("renamed").prefix_with("MATERIALIZED").c.id), False),
    ("insert … returning", insert(OrgUnit).values(tenant_id=uuid.uuid4(), id=uuid.uuid4(),
                                                  name="x").returning(OrgUnit.id), False),
    ("update", update(OrgUnit).values(name="x"), False),
    ("select … for update", select(OrgUnit.id).with_for_update(), False),
    ("select … for share", select(OrgUnit.id).with_for_update(read=True), False),
    ("text SELECT", text("SELECT 1"), True),
    ("text WITH … SELECT", text("WITH x AS (SELECT 1) SELECT * FROM x"), False),
    ("text WITH … UPDATE", text("WITH x AS (SELECT 1) UPDATE org_unit SET name = 'x'"),
     False),
    ("text SELECT … INTO", text("SELECT * INTO copied FROM org_unit"), False),
    ("text SAVEPOINT", text("SAVEPOINT sa_1"), False),
])
def test_reads_only(label, statement, read):
    assert reads_only(*_sent(statement)) is read, label


def test_with_needs_the_compiled_select():
    """``WITH`` with no compiled statement to say its top level is a query: a write."""
    sql, _ = _sent(_cte_read())
    assert sql.startswith("WITH")
    assert reads_only(sql, None) is False
    assert reads_only(sql, SimpleNamespace(compiled=None)) is False


@pytest.fixture
def pg_only(zz_backend):
    if zz_backend == "sqlite":
        pytest.skip("the read-only bookkeeping is PostgreSQL's (SQLite always rolls back)")


def _ends(app, work) -> list[str]:
    """How the transaction of ``work(session)`` ends at teardown: ['commit'] or
    ['rollback']."""
    engine = app.extensions["zerenzhi"].db.engine
    ends: list[str] = []
    listeners = [("commit", lambda _c: ends.append("commit")),
                 ("rollback", lambda _c: ends.append("rollback"))]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    try:
        with app.app_context():
            work(session())
            close_session()
    finally:
        for name, fn in listeners:
            event.remove(engine, name, fn)
    return ends


def test_a_cte_read_ends_in_commit(pg_only, app, township):
    def work(sess):
        with tenant_scope(sess.get(Tenant, township.tenant_id).ref()):
            assert sess.execute(_cte_read()).all()
            assert sess.info["zz_connection"].info[READ_ONLY] is True

    assert _ends(app, work) == ["commit"]


def test_a_data_modifying_cte_is_rolled_back(pg_only, app, township):
    """A GET that slipped a write into a CTE: the teardown rolls it back, it never
    commits it."""
    def names(sess):
        with tenant_scope(sess.get(Tenant, township.tenant_id).ref()):
            return sorted(sess.scalars(select(OrgUnit.name)))

    with township.scope() as sess:
        before = names(sess)

    def work(sess):
        with tenant_scope(sess.get(Tenant, township.tenant_id).ref()):
            assert sess.execute(_cte_write()).all()
            assert sess.info["zz_connection"].info[READ_ONLY] is False

    assert _ends(app, work) == ["rollback"]
    with township.scope() as sess:
        assert names(sess) == before


def test_the_summary_is_a_read_that_commits(pg_only, app, township):
    """The dashboard (a WITH … SELECT) ends in COMMIT, as every read-only request does."""
    engine = app.extensions["zerenzhi"].db.engine
    ends: list[str] = []
    listeners = [("commit", lambda _c: ends.append("commit")),
                 ("rollback", lambda _c: ends.append("rollback"))]
    client = township.client("secretary")
    client.get(f"/api/v1/townships/{township.slug}/obligations/summary").assert_status(200)
    for name, fn in listeners:
        event.listen(engine, name, fn)
    try:
        client.get(f"/api/v1/townships/{township.slug}/obligations/summary") \
            .assert_status(200)
    finally:
        for name, fn in listeners:
            event.remove(engine, name, fn)
    assert ends == ["commit"]
