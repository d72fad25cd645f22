"""Central tenant scoping on the ORM session; fails closed.

Every SELECT/UPDATE/DELETE gets ``tenant_id = <context>`` on every tenant table it
touches; inserts are stamped; a tenant table touched with no tenant raises. On
PostgreSQL, row-level security repeats the same rule below the ORM.
"""

from __future__ import annotations

import functools

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from zerenzhi.db.base import Base, CountyReadable, TenantScoped
from zerenzhi.db.session import county_townships
from zerenzhi.tenancy.context import TenantContextError, county_reads_scope, current_tenant
from zerenzhi.tenancy.models import Tenant

UNSCOPED = "zz_unscoped"


def _scope_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(UNSCOPED):
        return
    tenant = current_tenant()
    if tenant is None:
        for mapper in state.all_mappers:
            if issubclass(mapper.class_, TenantScoped):
                raise TenantContextError(
                    f"{mapper.class_.__name__} queried with no tenant in context"
                )
        # a tenant table reached only through a subquery: fail closed, it sees nothing
        state.statement = state.statement.options(_NO_TENANT)
        return
    tenant_id = tenant.id
    reads = county_reads_scope()
    if reads is not None and state.is_select:
        connection = state.session.connection(bind_arguments=state.bind_arguments)
        townships = None  # SQLite: a subquery on tenant, which it plans better than a list
        if connection.dialect.name == "postgresql":
            townships = county_townships(reads, connection.connection.driver_connection)
        state.statement = state.statement.options(
            *_county_criteria(reads.county_id, townships))
        return
    state.statement = state.statement.options(_tenant_criteria(tenant_id))


# The options are immutable and each keeps its own tenant id: built once, not per statement.
_NO_TENANT = with_loader_criteria(
    TenantScoped, lambda cls: cls.tenant_id.is_(None), include_aliases=True)


@functools.lru_cache(maxsize=1024)
def _tenant_criteria(tenant_id):
    return with_loader_criteria(
        TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)


def _tenant_classes() -> list[type]:
    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantScoped)]


def _county_criteria(county_id, townships: tuple | None) -> tuple:
    # keyed by the mapped classes too: a model imported later must get its criterion
    return _county_options(county_id, townships, len(Base.registry.mappers))


@functools.lru_cache(maxsize=256)
def _county_options(county_id, townships: tuple | None, _mapped: int) -> tuple:
    """County roll-up reads: its townships' rows of county-readable tables, else its own.

    Every tenant class gets its criterion, not only those in the result columns, so a
    table reached through a subquery or CTE is scoped — and can use its tenant index.
    On PostgreSQL the townships are a list of ids, not a subquery on ``tenant``: on Citus
    the planner prunes to the shards holding them (decision 0029). SQLite keeps the
    subquery: given 300 ids it probed the tenant index once per id (compliance of 300
    townships 92 ms against 40 ms, bench/rollup.py).
    Built once per county (the options are immutable): building a dozen of them cost a
    millisecond per statement, a third of a small county's whole roll-up.
    """
    subquery = select(Tenant.id).where(Tenant.county_id == county_id).scalar_subquery()
    options = []
    for cls in _tenant_classes():
        # two lambdas: SQLAlchemy caches a lambda's closure by its kind (a tuple of ids is
        # bound values, a subquery is SQL), so one lambda cannot take both
        if getattr(cls, "__county_readable__", False) and townships is None:
            options.append(with_loader_criteria(
                cls, lambda c: c.tenant_id.in_(subquery), include_aliases=True))
        elif getattr(cls, "__county_readable__", False):
            options.append(with_loader_criteria(
                cls, lambda c: c.tenant_id.in_(townships), include_aliases=True))
        else:
            options.append(with_loader_criteria(
                cls, lambda c: c.tenant_id == county_id, include_aliases=True))
    return tuple(options)


def _stamp_and_check(session: Session, _flush_context, _instances) -> None:
    if session.deleted:
        raise RuntimeError("records are archived, never deleted")
    tenant = current_tenant()
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if tenant is None:
            raise TenantContextError(f"insert of {type(obj).__name__} with no tenant in context")
        if obj.tenant_id is None:
            obj.tenant_id = tenant.id
        elif obj.tenant_id != tenant.id:
            raise TenantContextError(f"insert of {type(obj).__name__} into another tenant")
        if isinstance(obj, CountyReadable):  # what the county read policy compares with
            obj.county_id = tenant.county_id
    for obj in session.dirty:
        if not isinstance(obj, TenantScoped):
            continue
        history = inspect(obj).attrs.tenant_id.history
        if history.has_changes() or tenant is None or obj.tenant_id != tenant.id:
            raise TenantContextError(f"update of {type(obj).__name__} outside its tenant")


def install_scoping(session_class) -> None:
    """Scope ``session_class`` (``create_app`` does, first: auditing and the tally read the
    tenant ids stamped here)."""
    event.listen(session_class, "do_orm_execute", _scope_statement)
    event.listen(session_class, "before_flush", _stamp_and_check)
