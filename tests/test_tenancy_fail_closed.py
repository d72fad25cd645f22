"""Fail-closed scoping: the ORM refuses tenant tables without a tenant; PostgreSQL's
row-level security hides and refuses rows even for raw SQL (docs/architecture.md, Tenancy)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text

from zerenzhi.db.session import session
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.tenancy.context import TenantContextError, tenant_scope
from zerenzhi.testing import build_world


def test_orm_query_without_tenant_raises(app, township):
    with app.app_context(), pytest.raises(TenantContextError):
        session().scalars(select(OrgUnit)).all()


def test_orm_insert_without_tenant_raises(app, township):
    with app.app_context():
        sess = session()
        sess.add(OrgUnit(code="x", name="x", kind="branch"))
        with pytest.raises(TenantContextError):
            sess.flush()


def test_orm_sees_only_the_tenant_in_context(app, township, other_township):
    with township.scope() as sess:
        ids = set(sess.scalars(select(OrgUnit.id)).all())
    assert ids == set(township.units.values())


def test_insert_into_another_tenant_is_refused(app, township, other_township):
    with township.scope() as sess:
        sess.add(OrgUnit(tenant_id=other_township.tenant_id, code="sneak", name="x",
                         kind="branch", parent_id=other_township.units["committee"]))
        with pytest.raises(TenantContextError):
            sess.flush()


@pytest.fixture
def pg_only(zz_backend):
    if zz_backend == "sqlite":
        pytest.skip("row-level security is PostgreSQL's")


def test_raw_sql_without_context_sees_nothing(pg_only, app, township):
    with app.app_context():
        count = session().execute(text("SELECT count(*) FROM org_unit")).scalar()
    assert count == 0


def test_raw_sql_in_context_sees_only_that_tenant(pg_only, app, township, other_township):
    with township.scope() as sess:
        tenants = sess.execute(text("SELECT DISTINCT tenant_id FROM org_unit")).scalars().all()
    assert [uuid.UUID(str(t)) for t in tenants] == [township.tenant_id]


def test_raw_insert_of_foreign_tenant_id_fails(pg_only, app, township, other_township):
    from sqlalchemy.exc import ProgrammingError

    with township.scope() as sess, pytest.raises(ProgrammingError, match="row-level security"):
        sess.execute(
            text("INSERT INTO org_unit (tenant_id, id, code, name, kind, created_at, updated_at)"
                 " VALUES (:t, :i, 'sneak', 'x', 'branch', now(), now())"),
            {"t": other_township.tenant_id, "i": uuid.uuid4()},
        )


def test_app_role_cannot_delete_or_rewrite_audit(pg_only, app, township):
    from sqlalchemy.exc import ProgrammingError

    with township.scope() as sess, pytest.raises(ProgrammingError, match="permission denied"):
        sess.execute(text("UPDATE audit_entry SET actor = 'x'"))
    with township.scope() as sess, pytest.raises(ProgrammingError, match="permission denied"):
        sess.execute(text("DELETE FROM org_unit"))


def test_tenant_scope_switch_inside_a_transaction(pg_only, app, township, other_township):
    """Switching the tenant mid-transaction re-applies SET LOCAL at once."""
    from zerenzhi.tenancy.models import Tenant

    with township.scope() as sess:
        first = sess.execute(text("SELECT count(*) FROM org_unit")).scalar()
        ref = sess.get(Tenant, other_township.tenant_id).ref()
        with tenant_scope(ref):
            seen = set(sess.execute(text("SELECT DISTINCT tenant_id FROM org_unit")).scalars())
        back = set(sess.execute(text("SELECT DISTINCT tenant_id FROM org_unit")).scalars())
    assert first == len(township.units)
    assert {uuid.UUID(str(t)) for t in seen} == {other_township.tenant_id}
    assert {uuid.UUID(str(t)) for t in back} == {township.tenant_id}  # and back again


def test_subquery_without_tenant_sees_nothing(app):
    """A tenant table reached only through a subquery still fails closed."""
    build_world(app)
    with app.app_context():
        inner = select(OrgUnit).subquery()
        assert session().scalar(select(func.count()).select_from(inner)) == 0
