"""The township's members, as plugins see them.

A member id *is* the user's account id (``member.id`` references ``user_account.id``): a
person keeps one id across the townships they serve, and each township holds its own
``member`` row for them. A plugin column that names a person references the township's
``member`` table with ``member_fk``, so it can never name another township's member.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ForeignKeyConstraint, select
from sqlalchemy.orm import Session

from zerenzhi.auth.models import Member, Position
from zerenzhi.db.base import tenant_fk
from zerenzhi.domain import DomainError


@dataclass(frozen=True)
class MemberInfo:
    """A current member of the township: id (the account's), name and current roles."""

    id: uuid.UUID
    display_name: str
    roles: tuple[str, ...]


def member_fk(column: str) -> ForeignKeyConstraint:
    """Composite foreign key ``(tenant_id, column) -> member(tenant_id, id)``."""
    return tenant_fk(column, "member")


def township_members(session: Session, ids: Iterable[uuid.UUID] | None = None, *,
                     unit_id: uuid.UUID | None = None) -> dict[uuid.UUID, MemberInfo]:
    """Live members of the current township by id, in one statement: all of them, only
    ``ids`` (validate a list of attendees at once: ``set(ids) - result.keys()`` is what is
    unknown), or only those posted to ``unit_id`` now."""
    statement = (select(Member.id, Member.display_name, Position.role)
                 .outerjoin(Position, (Position.member_id == Member.id)
                            & Position.ended_at.is_(None))
                 .where(Member.archived_at.is_(None))
                 .order_by(Member.display_name, Member.id, Position.role))
    if ids is not None:
        statement = statement.where(Member.id.in_(set(ids)))
    if unit_id is not None:
        statement = statement.where(Position.unit_id == unit_id)
    found: dict[uuid.UUID, MemberInfo] = {}
    for member_id, name, role in session.execute(statement):
        known = found.get(member_id)
        roles = (*known.roles, role) if known else ((role,) if role else ())
        found[member_id] = MemberInfo(member_id, name, roles)
    return found


def unit_members(session: Session, unit_id: uuid.UUID) -> list[tuple[uuid.UUID, str, str]]:
    """(member id, display name, role) of everyone currently posted to ``unit_id``."""
    rows = session.execute(
        select(Member.id, Member.display_name, Position.role)
        .join(Position, Position.member_id == Member.id)
        .where(Position.unit_id == unit_id, Position.ended_at.is_(None),
               Member.archived_at.is_(None))
        .order_by(Member.display_name)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def get_member(session: Session, member_id: uuid.UUID, *, field: str = "member_id") -> MemberInfo:
    """The live member ``member_id`` of this township, or a ``DomainError`` on ``field`` (a
    member of another township is as unknown as a made-up id)."""
    found = township_members(session, [member_id]).get(member_id)
    if found is None:
        raise DomainError(field, "no such member in this township")
    return found
