"""County read scope for roll-ups: a county sees its townships' obligations, ledger and
units — not another county's, and no other table of theirs (docs/architecture.md, Tenancy)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from zerenzhi.audit.models import AuditEntry
from zerenzhi.auth.models import Member
from zerenzhi.db.session import session
from zerenzhi.obligations.models import Fulfilment
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.tenancy.context import county_read_scope
from zerenzhi.tenancy.models import Tenant
from zerenzhi.testing import build_world


def _county(app, world):
    with app.app_context():
        return session().get(Tenant, world.county_id).ref()


def test_county_reads_its_townships_units_only(app, township, other_township):
    sibling = build_world(app, "sib")  # a second county, to be invisible
    county = _county(app, township)
    with app.app_context(), county_read_scope(county):
        seen = set(session().scalars(select(OrgUnit.tenant_id)).all())
    assert seen == {township.tenant_id}
    assert sibling.tenant_id not in seen


def test_county_scope_does_not_open_record_tables(app, township):
    county = _county(app, township)
    with app.app_context(), county_read_scope(county):
        members = set(session().scalars(select(Member.tenant_id)).all())
        audit = set(session().scalars(select(AuditEntry.tenant_id)).all())
    assert members == {township.county_id}  # the county's own staff, no township's
    assert audit <= {township.county_id}


def test_county_scope_below_the_orm(zz_backend, app, township, other_township):
    if zz_backend == "sqlite":
        pytest.skip("row-level security is PostgreSQL's")
    county = _county(app, township)
    with app.app_context(), county_read_scope(county):
        units = session().execute(text("SELECT DISTINCT tenant_id FROM org_unit")).all()
        members = session().execute(text("SELECT DISTINCT tenant_id FROM member")).all()
    assert len(units) == 1 and [str(m[0]) for m in members] == [str(township.county_id)]


def test_county_scope_reaches_subqueries(app):
    """Tables inside subqueries and CTEs are scoped too, not only the selected ones."""
    a = build_world(app)
    build_world(app)
    with app.app_context():
        county = session().get(Tenant, a.county_id).ref()
        with county_read_scope(county):
            inner = select(OrgUnit.tenant_id).subquery()
            seen = set(session().scalars(select(inner.c.tenant_id)).all())
            session().scalars(select(Fulfilment.id).where(Fulfilment.id.in_(
                select(Fulfilment.id).scalar_subquery()))).all()
    assert seen == {a.tenant_id}


def test_county_reads_run_with_the_roll_up_settings(zz_backend, app, township):
    """Roll-ups scan many townships: no JIT, room to sort in memory — for county reads only."""
    if zz_backend == "sqlite":
        pytest.skip("PostgreSQL settings")
    county = _county(app, township)
    with app.app_context():
        sess = session()
        with county_read_scope(county):
            sess.scalars(select(OrgUnit.tenant_id)).all()
            inside = (sess.scalar(text("SHOW jit")), sess.scalar(text("SHOW work_mem")))
        sess.rollback()
        with township.scope() as own:
            own.scalars(select(OrgUnit.id)).all()
            outside = own.scalar(text("SHOW work_mem"))
    assert inside == ("off", "32MB")
    assert outside != "32MB"
