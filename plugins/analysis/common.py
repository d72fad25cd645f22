"""Small helpers shared by the analysis services: errors, local dates, the caller.

``caller()`` reads the request's identity through ``core.current_identity``; outside a
request (CLI, demo data, tests calling services) the caller passes who acts explicitly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from zerenzhi import OrgUnit, current_identity, local_today, require_tenant, units_of_kind


class AnalysisError(ValueError):
    """Input that parsed but does not fit this township: answered as ``status`` on ``field``."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


@dataclass(frozen=True)
class Actor:
    member_id: uuid.UUID | None
    name: str
    roles: frozenset[str]


def caller() -> Actor | None:
    identity = current_identity()
    if identity is None:
        return None
    return Actor(identity.user_id, identity.display_name,
                 frozenset(post.role for post in identity.posts))


def zone() -> ZoneInfo:
    return ZoneInfo(require_tenant().timezone)


def today() -> dt.date:
    return local_today(require_tenant().timezone)


def local_noon(day: dt.date) -> dt.datetime:
    """When a dated record 'happened' for the ledger: midday, so it is that local day."""
    return dt.datetime.combine(day, dt.time(12), zone())


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), zone())


def committee(session: Session) -> OrgUnit:
    """The township's committee: A1 puts it in charge of every analysis."""
    roots = [u for u in units_of_kind(session, "committee") if u.parent_id is None]
    if not roots:
        raise AnalysisError("unit_id", "this township has no committee unit", 409)
    return roots[0]
