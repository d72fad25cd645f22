"""The tenant-scoped copy of a statement is kept per (statement, scope) (``zerenzhi.db.
scoping.ScopedStatements``, decision 0035): a statement built once and run for one
township is never served with another township's criteria, nor a township's with a county
read scope's; entries go with their statements and stay bounded."""

from __future__ import annotations

import gc
import uuid
import weakref

import pytest
from sqlalchemy import event, select

from zerenzhi.auth.models import Member
from zerenzhi.db import scoping
from zerenzhi.db.scoping import ScopedStatements
from zerenzhi.db.session import session
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.tenancy.context import county_read_scope, tenant_scope
from zerenzhi.tenancy.models import Tenant

# Built once, as the app's constant statements are (``_ACTIVE_POSTS``): the case the cache
# serves from memory.
UNITS = select(OrgUnit.id, OrgUnit.tenant_id).order_by(OrgUnit.code)
MEMBERS = select(Member.tenant_id)


def _ref(tenant_id):
    return session().get(Tenant, tenant_id).ref()


def _as_uuid(value):
    """A bound UUID as the driver got it: a UUID (psycopg) or its text (SQLite)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _bound_tenants(engine):
    """Collect, per statement sent, the tenant ids among its bound values."""
    sent: list[set[str]] = []

    def seen(_conn, _cursor, _statement, parameters, _context, _many) -> None:
        values = parameters.values() if isinstance(parameters, dict) else parameters or ()
        sent.append({str(_as_uuid(v)) for v in values if _as_uuid(v) is not None})

    event.listen(engine, "before_cursor_execute", seen)
    return sent, lambda: event.remove(engine, "before_cursor_execute", seen)


def test_one_statement_alternating_townships_sees_each_its_own(app, township,
                                                              other_township):
    """Two townships, the same statement object, alternating calls: each call's rows (and
    the tenant id bound into its SQL) are the current township's only."""
    mine = set(township.units.values())
    theirs = set(other_township.units.values())
    engine = app.extensions["zerenzhi"].db.engine
    with app.app_context():
        refs = [(_ref(township.tenant_id), mine), (_ref(other_township.tenant_id), theirs)]
        sent, stop = _bound_tenants(engine)
        try:
            scoped = {}
            for _ in range(6):  # past psycopg's prepare threshold (5) as well
                for ref, expected in refs:
                    with tenant_scope(ref):
                        del sent[:]
                        rows = session().execute(UNITS).all()
                        scoped.setdefault(ref.id, set()).add(
                            id(scoping.SCOPED.scoped(UNITS, ("tenant", ref.kind, ref.id),
                                                     scoping._tenant_options(ref.id))))
                    assert {r.id for r in rows} == expected
                    assert {r.tenant_id for r in rows} == {ref.id}
                    bound = set().union(*sent)
                    assert str(ref.id) in bound
                    assert not bound & {str(r.id) for r, _ in refs if r.id != ref.id}
        finally:
            stop()
    # one kept copy per township, and not the same one
    assert all(len(ids) == 1 for ids in scoped.values())
    assert scoped[township.tenant_id] != scoped[other_township.tenant_id]


def test_county_read_and_township_scopes_of_one_statement_are_distinct(app, township,
                                                                       other_township):
    """The same statement in the county read scope and in a township's scope: different
    copies, and each sees what its scope allows — the county its townships' units and its
    own members only; a township its own units and members."""
    with app.app_context():
        county = _ref(township.county_id)
        here, there = _ref(township.tenant_id), _ref(other_township.tenant_id)
        for _ in range(3):
            with county_read_scope(county):
                assert {r.tenant_id for r in session().execute(UNITS)} == \
                    {township.tenant_id}
                assert set(session().scalars(MEMBERS)) <= {township.county_id}
            with tenant_scope(here):
                assert {r.tenant_id for r in session().execute(UNITS)} == \
                    {township.tenant_id}
                assert set(session().scalars(MEMBERS)) == {township.tenant_id}
            with tenant_scope(there):
                assert {r.tenant_id for r in session().execute(UNITS)} == \
                    {other_township.tenant_id}
                assert set(session().scalars(MEMBERS)) == {other_township.tenant_id}
        session().commit()


def test_an_entry_is_served_for_the_same_statement_scope_and_options_only():
    cache = ScopedStatements()
    a, b = uuid.uuid4(), uuid.uuid4()
    first = cache.scoped(UNITS, ("tenant", "township", a), scoping._tenant_options(a))
    assert cache.scoped(UNITS, ("tenant", "township", a), scoping._tenant_options(a)) \
        is first
    assert cache.scoped(UNITS, ("tenant", "township", b), scoping._tenant_options(b)) \
        is not first
    # same key, other options (the county options rebuilt when a plugin maps a class):
    # rebuilt, never the old copy
    other = (scoping.with_loader_criteria(
        scoping.TenantScoped, lambda cls: cls.tenant_id == a, include_aliases=True),)
    assert cache.scoped(UNITS, ("tenant", "township", a), other) is not first
    # an equal but distinct statement object is another statement
    twin = select(OrgUnit.id, OrgUnit.tenant_id).order_by(OrgUnit.code)
    assert cache.scoped(twin, ("tenant", "township", a), scoping._tenant_options(a)) \
        is not first


def test_county_options_follow_the_mapped_classes():
    """Keyed by the options object, which ``_county_criteria`` rebuilds when the number of
    mapped classes changes: a class mapped later (a plugin's) is never missing from a kept
    copy."""
    county = uuid.uuid4()
    before = scoping._county_options(county, None, 1)
    after = scoping._county_options(county, None, 2)
    assert before is not after
    cache = ScopedStatements()
    key = ("county read", county)
    assert cache.scoped(UNITS, key, before) is not cache.scoped(UNITS, key, after)


def test_entries_go_with_their_statement_and_keep_nothing_alive():
    cache = ScopedStatements()
    tenant = uuid.uuid4()
    statement = select(OrgUnit.id).where(OrgUnit.code == f"x-{tenant}")
    alive = weakref.ref(statement)
    copy = cache.scoped(statement, ("tenant", "township", tenant),
                        scoping._tenant_options(tenant))
    copy._generate_cache_key()  # what executing it memoises
    assert len(cache) == 1
    del statement, copy
    gc.collect()
    assert alive() is None  # the kept copy does not hold its statement
    assert len(cache) == 0


def test_the_cache_is_bounded():
    cache = ScopedStatements(size=8)
    kept = [select(OrgUnit.id).where(OrgUnit.code == str(i)) for i in range(20)]
    for statement in kept:
        for n in range(3):
            tenant = uuid.UUID(int=n + 1)
            cache.scoped(statement, ("tenant", "township", tenant),
                         scoping._tenant_options(tenant))
    assert len(cache) == 8


@pytest.mark.parametrize("kind", ["no tenant"])
def test_no_tenant_scope_still_fails_closed(app, township, kind):
    """With no tenant, a statement naming a tenant table raises, however often run; one
    reaching it through a subquery sees nothing."""
    inner = select(OrgUnit.tenant_id).scalar_subquery()
    through = select(inner)
    with app.app_context():
        for _ in range(3):
            with pytest.raises(scoping.TenantContextError):
                session().execute(UNITS)
            assert session().execute(through).scalar() is None


def test_a_select_keeps_its_pages_and_lets_them_go():
    """``page_of``: the same object for the same select and page, another for another
    page, and nothing kept once the select is garbage."""
    from zerenzhi.routes.common import _PAGES, page_of

    statement = select(OrgUnit.id).order_by(OrgUnit.code)
    first = page_of(statement, 50, 0, True)
    assert page_of(statement, 50, 0, True) is first
    assert page_of(statement, 50, 50, True) is not first
    assert page_of(statement, 10, 0, True) is not first
    assert page_of(statement, 50, 0, False) is not first
    assert first._limit_clause.value == 50 and first._offset_clause.value == 0
    alive = weakref.ref(statement)
    held = len(_PAGES)
    del statement
    gc.collect()
    assert alive() is None and len(_PAGES) == held - 1
