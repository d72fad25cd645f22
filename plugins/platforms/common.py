"""Shared pieces of the platforms services: the error type, dates, units and members."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import OrgUnit, local_today, require_tenant, unit_members, units_of_kind

EARLIEST = dt.date(2000, 1, 1)


class PlatformError(ValueError):
    """Input that parsed but does not fit this township: ``status`` 422 on ``field``,
    409 for a state conflict."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def today() -> dt.date:
    return local_today(require_tenant().timezone)


def active_unit(session: Session, unit_id: uuid.UUID, field: str = "unit_id") -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.id == unit_id,
                                                OrgUnit.archived_at.is_(None)))
    if unit is None:  # scoped: a foreign unit is as unknown as a made-up one
        raise PlatformError(field, "no such unit in this township")
    return unit


def committee(session: Session) -> OrgUnit:
    """The township's root unit, where P2's report obligation sits."""
    roots = [u for u in units_of_kind(session, "committee") if u.parent_id is None]
    if not roots:
        raise PlatformError("unit_id", "this township has no committee unit", 409)
    return roots[0]


def check_member(session: Session, member_id: uuid.UUID | None, field: str) -> None:
    """``member_id`` must hold a current post somewhere in this township.

    GAP: the core face has no member lookup, so this asks ``unit_members`` unit by unit
    (a township has tens of units); replace with a face helper once core exports one.
    """
    if member_id is None:
        return
    for unit in units_of_kind(session):
        if any(row[0] == member_id for row in unit_members(session, unit.id)):
            return
    raise PlatformError(field, "not a member holding a post in this township")


def check_date(value: dt.date | None, field: str, *, not_before: dt.date = EARLIEST,
               what: str = "2000-01-01") -> None:
    if value is None:
        return
    if value > today():
        raise PlatformError(field, "cannot be in the future")
    if value < not_before:
        raise PlatformError(field, f"cannot be before {what}")


