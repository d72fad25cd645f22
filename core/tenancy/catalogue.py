"""The global catalogue of tenants, read across tenants (plugins' commands, jobs)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.tenancy.context import TenantRef
from zerenzhi.tenancy.models import Tenant


def find_tenants(session: Session, **where) -> list[TenantRef]:
    """Live tenants matching ``where`` (``slug``, ``kind``, ``county_id``, ``id``): the global
    catalogue, for plugins' commands that act on several tenants."""
    statement = select(Tenant).where(Tenant.archived_at.is_(None)).order_by(Tenant.slug)
    for name, value in where.items():
        statement = statement.where(getattr(Tenant, name) == value)
    return [tenant.ref() for tenant in session.scalars(statement)]
