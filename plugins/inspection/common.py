"""Helpers shared by the inspection services: errors, local dates, the caller.

``caller()`` reads the request's identity through ``core.current_identity``. Outside a
request the services take the acting person explicitly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from zerenzhi import OrgUnit, current_identity, get_unit, local_today, require_tenant


class InspectionError(ValueError):
    """Input that parsed but does not fit this township: answered as ``status`` on ``field``."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


@dataclass(frozen=True)
class Actor:
    member_id: uuid.UUID | None
    name: str


def caller() -> Actor | None:
    identity = current_identity()
    return None if identity is None else Actor(identity.user_id, identity.display_name)


def zone() -> ZoneInfo:
    return ZoneInfo(require_tenant().timezone)


def today() -> dt.date:
    return local_today(require_tenant().timezone)


def local_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), zone())


def end_of_day(day: dt.date) -> dt.datetime:
    """A deadline day ends at the next local midnight (as core's period due dates do)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone())


def unit_of(session: Session, unit_id: uuid.UUID, kinds: tuple[str, ...],
            field: str = "unit_id") -> OrgUnit:
    unit = get_unit(session, unit_id, include_archived=False)
    if unit is None:
        raise InspectionError(field, "no such unit in this township")
    if unit.kind not in kinds:
        raise InspectionError(field, f"a unit of kind {', '.join(kinds)}")
    return unit
