"""Checks the platforms services share: members named on a record, and record dates."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from zerenzhi import DomainError, today, township_members

EARLIEST = dt.date(2000, 1, 1)


def check_member(session: Session, member_id: uuid.UUID | None, field: str) -> None:
    """``member_id`` must hold a current post in this township (one statement): a channel's
    responsible person and a timeline's actor answer for the township's own work."""
    if member_id is None:
        return
    found = township_members(session, [member_id]).get(member_id)
    if found is None or not found.roles:
        raise DomainError(field, "not a member holding a post in this township")


def check_date(value: dt.date | None, field: str, *, not_before: dt.date = EARLIEST,
               what: str = "2000-01-01") -> None:
    if value is None:
        return
    if value > today():
        raise DomainError(field, "cannot be in the future")
    if value < not_before:
        raise DomainError(field, f"cannot be before {what}")
