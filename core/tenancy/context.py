"""The tenant context: which township or county the current work belongs to.

Set from the URL after the membership check (requests) or by ``tenant_scope`` (CLI,
jobs, tests); read by the ORM scoping listeners and, before every statement, by the
PostgreSQL RLS setting (``zerenzhi.db.session``), so a switch needs no callback.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


class TenantContextError(RuntimeError):
    """A tenant table was touched with no tenant (or the wrong tenant) in context."""


@dataclass(frozen=True)
class TenantRef:
    """What code under a tenant knows of it: id, kind (``township`` or ``county``), slug,
    its county, time zone. Frozen and detached from any session, so it is safe to keep in
    the context, pass to hooks and compare."""

    id: uuid.UUID
    kind: str  # "township" | "county"
    slug: str
    county_id: uuid.UUID | None = None
    timezone: str = "Asia/Shanghai"
    live_from: dt.date | None = None  # a township's go-live date (None for a county)


_current: contextvars.ContextVar[TenantRef | None] = contextvars.ContextVar(
    "zerenzhi_tenant", default=None
)


@dataclass(eq=False)
class CountyReads:
    """A county read scope: the county, and its townships' ids once the database layer has
    looked them up (on the scope's first statement; ``zerenzhi.db``). The ORM's criteria
    compare ``tenant_id`` with the ids, not with a subquery on ``tenant``: Citus prunes
    shards on a list (decision 0029). Compared by identity: one scope, one lookup."""

    county_id: uuid.UUID
    townships: tuple[uuid.UUID, ...] | None = None


_county_reads: contextvars.ContextVar[CountyReads | None] = contextvars.ContextVar(
    "zerenzhi_county_reads", default=None
)


def current_tenant() -> TenantRef | None:
    """The tenant in context (the URL's township in a request, ``tenant_scope``'s in a
    command or job), or None outside any."""
    return _current.get()


def county_reads() -> uuid.UUID | None:
    """The county whose townships' roll-up tables may be read now (None: just the tenant)."""
    reads = _county_reads.get()
    return reads.county_id if reads is not None else None


def county_reads_scope() -> CountyReads | None:
    """The county read scope in context, with its townships once looked up."""
    return _county_reads.get()


@contextmanager
def county_read_scope(county: TenantRef) -> Iterator[TenantRef]:
    """Act as ``county`` and also read its townships' roll-up tables (obligations, ledger,
    org units, module state: models marked ``__county_readable__``), for roll-ups only.
    Writes stay the county's own."""
    if county.kind != "county":
        raise TenantContextError("county read scope needs a county")
    reads = _county_reads.set(CountyReads(county.id))
    try:
        with tenant_scope(county):
            yield county
    finally:
        _county_reads.reset(reads)


def require_tenant() -> TenantRef:
    """The tenant in context; raises ``TenantContextError`` when there is none, so code that
    must run under a township fails closed instead of reading every township's rows."""
    tenant = _current.get()
    if tenant is None:
        raise TenantContextError("no tenant in context")
    return tenant


def set_tenant(tenant: TenantRef | None) -> contextvars.Token:
    return _current.set(tenant)


def reset_tenant(token: contextvars.Token) -> None:
    _current.reset(token)


@contextmanager
def tenant_scope(tenant: TenantRef | None) -> Iterator[TenantRef | None]:
    """Run a block as ``tenant`` (CLI, background jobs, tests)."""
    token = set_tenant(tenant)
    try:
        yield tenant
    finally:
        reset_tenant(token)
