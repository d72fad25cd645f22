"""Central tenant scoping on the ORM session; fails closed.

Every SELECT/UPDATE/DELETE gets ``tenant_id = <context>`` on every tenant table it
touches; inserts are stamped; a tenant table touched with no tenant raises. On
PostgreSQL, row-level security repeats the same rule below the ORM.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict, deque
from collections.abc import Hashable
from typing import Any

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
        state.statement = SCOPED.scoped(state.statement, _NO_TENANT_SCOPE, _NO_TENANT_OPTIONS)
        return
    reads = county_reads_scope()
    if reads is not None and state.is_select:
        connection = state.session.connection(bind_arguments=state.bind_arguments)
        townships = None  # SQLite: a subquery on tenant, which it plans better than a list
        if connection.dialect.name == "postgresql":
            townships = county_townships(reads, connection.connection.driver_connection)
        options = _county_criteria(reads.county_id, townships)
        # the options' identity stands for the townships and the mapped classes they cover
        state.statement = SCOPED.scoped(
            state.statement, ("county read", reads.county_id, id(options)), options)
        return
    state.statement = SCOPED.scoped(state.statement, ("tenant", tenant.kind, tenant.id),
                                    _tenant_options(tenant.id))


class ScopedStatements:
    """``statement.options(*criteria)``, kept per (statement, scope) for the statement's
    lifetime, at most ``size`` of them (least recently used dropped first).

    Why: the scoped copy is a new statement object on every execution, so SQLAlchemy walks
    all of it for its cache key each time and never reuses one (on a statement built once,
    ``_ACTIVE_POSTS``, scoping cost 230 against 192 µs per execution with the copy kept;
    bench/README.md, throughput). Kept, the copy keeps its memoised cache key.

    Why it is safe: the result is a pure function of two immutable objects, the statement
    and the criteria options (each option holds its own tenant or county and townships), so
    an entry is served only for the *same* statement object (held by a weak reference and
    compared by identity, so a recycled ``id`` never matches) and the *same* options object
    (compared by identity), under a key that also names the scope's kind and tenant —
    ``("tenant", kind, id)``, ``("county read", county, options)``, ``("no tenant",)``;
    statements run ``zz_unscoped`` (system) never get here. Mappers added later (plugins)
    need no invalidation: the tenant criterion names the ``TenantScoped`` base, resolved
    when compiled, and the county options are rebuilt, so renamed, when the mapped classes
    change (``_county_criteria``). An entry goes when its statement is garbage (weak
    reference callback), so the copy keeps nothing alive — rows, sessions, bound values —
    longer than the statement itself would; and the copy holds no reference back to it.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, Hashable], tuple[weakref.ref, tuple, Any]] = \
            OrderedDict()
        self._scopes: dict[int, set[Hashable]] = {}  # id(statement) -> its entries' scopes
        self._dead: deque[int] = deque()  # ids of collected statements, purged under the lock
        self._lock = threading.Lock()

    def scoped(self, statement: Any, scope: Hashable, options: tuple) -> Any:
        """``statement.options(*options)``, the same object for the same three."""
        sid = id(statement)
        key = (sid, scope)
        with self._lock:
            self._purge()
            entry = self._entries.get(key)
            if entry is not None and entry[0]() is statement and entry[1] is options:
                self._entries.move_to_end(key)
                return entry[2]
        result = statement.options(*options)
        dead = self._dead
        try:  # the callback must not hold the statement, nor take the lock (it may run
            # from a collection inside the locked block): it only notes the id
            ref = weakref.ref(statement, lambda _ref, sid=sid: dead.append(sid))
        except TypeError:
            return result  # not weakly referenceable: not kept
        with self._lock:
            self._purge()
            self._entries[key] = (ref, options, result)  # replaces a stale entry, if any
            self._entries.move_to_end(key)
            self._scopes.setdefault(sid, set()).add(scope)
            while len(self._entries) > self.size:
                (old_sid, old_scope), _ = self._entries.popitem(last=False)
                self._drop_scope(old_sid, old_scope)
        return result

    def _purge(self) -> None:
        """Drop the entries of collected statements (their id may be in use again by a live
        statement, whose entries stay)."""
        while self._dead:
            sid = self._dead.popleft()
            for scope in list(self._scopes.get(sid, ())):
                entry = self._entries.get((sid, scope))
                if entry is None or entry[0]() is None:
                    self._entries.pop((sid, scope), None)
                    self._drop_scope(sid, scope)

    def _drop_scope(self, sid: int, scope: Hashable) -> None:
        scopes = self._scopes.get(sid)
        if scopes is not None:
            scopes.discard(scope)
            if not scopes:
                del self._scopes[sid]

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._scopes.clear()
            self._dead.clear()


SCOPED = ScopedStatements()

# The options are immutable and each keeps its own tenant id: built once, not per statement.
_NO_TENANT = with_loader_criteria(
    TenantScoped, lambda cls: cls.tenant_id.is_(None), include_aliases=True)
_NO_TENANT_OPTIONS = (_NO_TENANT,)
_NO_TENANT_SCOPE = ("no tenant",)


@functools.lru_cache(maxsize=1024)
def _tenant_options(tenant_id) -> tuple:
    return (with_loader_criteria(
        TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True),)


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
