"""Creating counties and townships (routes, CLI and `tenants apply` share it).

Reading the tenant catalogue is not provisioning: ``zerenzhi.tenancy.catalogue``."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.db.base import new_id
from zerenzhi.domain import DomainError
from zerenzhi.obligations.periods import local_today
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
                  timezone: str = "Asia/Shanghai", language: str | None = None) -> Tenant:
    check_timezone(timezone)
    if slug_taken(session, slug):
        raise ProvisioningError("slug", f"slug {slug!r} is taken")
    county = Tenant(kind="county", slug=slug, name=name, name_en=name_en, timezone=timezone,
                    language=language)
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
                    committee_name: str | None = None,
                    live_from: dt.date | None = None, language: str | None = None) -> Tenant:
    """A township and its root org unit, the committee (鎮黨委). It goes live on
    ``live_from`` (default: today, local): nothing is owed for a period ending before it,
    and committing the township materialises its calendar from it."""
    timezone = timezone or county.timezone
    check_timezone(timezone)
    live_from = live_from or local_today(timezone)
    if slug_taken(session, slug):
        raise ProvisioningError("slug", f"slug {slug!r} is taken")
    township = Tenant(kind="township", slug=slug, name=name, name_en=name_en,
                      county_id=county.id, timezone=timezone, live_from=live_from,
                      language=language)
    session.add(township)
    with tenant_scope(_ref(township)):
        session.flush()
        session.add(OrgUnit(code="committee", name=committee_name or f"{name}黨委",
                            kind="committee"))
        session.flush()
    return township



def township_of(session: Session, county: TenantRef, slug: str) -> Tenant | None:
    """``county``'s live township ``slug``, or None (another county's is None too)."""
    return session.scalar(select(Tenant).where(
        Tenant.kind == "township", Tenant.county_id == county.id, Tenant.slug == slug,
        Tenant.archived_at.is_(None)))


def change_township(session: Session, township: Tenant, changes: dict) -> Tenant:
    """Rename a township or move its go-live date, audited in its own scope; committing
    re-materialises its calendar from the earlier of the old and new dates
    (``zerenzhi.obligations.facts``)."""
    with tenant_scope(township.ref()):
        for key, value in changes.items():
            setattr(township, key, value)
        session.flush()
    return township
