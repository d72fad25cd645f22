"""Creating counties and townships (routes, CLI and `tenants apply` share it).

Reading the tenant catalogue is not provisioning: ``zerenzhi.tenancy.catalogue``."""

from __future__ import annotations

import zoneinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.db.base import new_id
from zerenzhi.domain import DomainError
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.tenancy.context import TenantRef, tenant_scope
from zerenzhi.tenancy.models import Tenant


class ProvisioningError(DomainError):
    """A county or township that cannot be made: a taken slug (409) or a bad field (422).
    Its own class because tenant files catch it to name the file's entry."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message, 409 if field == "slug" else 422)


def check_timezone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ProvisioningError("timezone", f"unknown time zone {name!r}") from exc


def slug_taken(session: Session, slug: str) -> bool:
    return session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None


def create_county(session: Session, slug: str, name: str, name_en: str | None = None,
                  timezone: str = "Asia/Shanghai") -> Tenant:
    check_timezone(timezone)
    if slug_taken(session, slug):
        raise ProvisioningError("slug", f"slug {slug!r} is taken")
    county = Tenant(kind="county", slug=slug, name=name, name_en=name_en, timezone=timezone)
    session.add(county)
    with tenant_scope(_ref(county)):
        session.flush()
    return county


def _ref(tenant: Tenant) -> TenantRef:
    """The new tenant's ref; its audit entries are written inside its own scope."""
    if tenant.id is None:
        tenant.id = new_id()
    return tenant.ref()


def create_township(session: Session, county: Tenant, slug: str, name: str,
                    name_en: str | None = None, timezone: str | None = None,
                    committee_name: str | None = None) -> Tenant:
    """A township and its root org unit, the committee (鎮黨委)."""
    timezone = timezone or county.timezone
    check_timezone(timezone)
    if slug_taken(session, slug):
        raise ProvisioningError("slug", f"slug {slug!r} is taken")
    township = Tenant(kind="township", slug=slug, name=name, name_en=name_en,
                      county_id=county.id, timezone=timezone)
    session.add(township)
    with tenant_scope(_ref(township)):
        session.flush()
        session.add(OrgUnit(code="committee", name=committee_name or f"{name}黨委",
                            kind="committee"))
        session.flush()
    return township

