"""The org tree: create, change and archive units with the tree kept sound."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.db.base import utcnow
from zerenzhi.domain import DomainError
from zerenzhi.orgunits.models import UNIT_KINDS, OrgUnit


class UnitError(DomainError):
    """A change that would leave the org tree unsound. Its own class because provisioning
    files catch it to name the unit's entry in the file; the API maps it as any
    ``DomainError``."""


def get_unit(session: Session, unit_id: uuid.UUID, *,
             include_archived: bool = True) -> OrgUnit | None:
    """The township's unit ``unit_id`` (archived ones too unless ``include_archived=False``),
    or None; see ``live_unit`` for the lookup that raises a field error."""
    statement = select(OrgUnit).where(OrgUnit.id == unit_id)
    if not include_archived:
        statement = statement.where(OrgUnit.archived_at.is_(None))
    return session.scalar(statement)


def unit_by_code(session: Session, code: str) -> OrgUnit | None:
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def live_unit(session: Session, unit_id: uuid.UUID, *, field: str = "unit_id") -> OrgUnit:
    """The township's unit ``unit_id``, not archived, or a ``DomainError`` on ``field``: a
    unit of another township is as unknown as a made-up one (scoping sees only this one)."""
    unit = get_unit(session, unit_id, include_archived=False)
    if unit is None:
        raise DomainError(field, "no such unit in this township")
    return unit


def committee(session: Session) -> OrgUnit:
    """The township's party committee, root of its tree: the unit that owns township-wide
    records (A1's analyses, R1's reports, P1's platforms). 409 when the tree has none yet."""
    unit = root_unit(session)
    if unit is None:
        raise DomainError("unit_id", "this township has no committee unit", 409)
    return unit


def root_unit(session: Session) -> OrgUnit | None:
    return session.scalar(
        select(OrgUnit).where(OrgUnit.kind == "committee", OrgUnit.parent_id.is_(None),
                              OrgUnit.archived_at.is_(None))
    )


def _check_parent(session: Session, unit: OrgUnit | None, parent_id: uuid.UUID | None) -> None:
    if parent_id is None:
        raise UnitError("parent_id", "every unit but the committee has a parent")
    parent = get_unit(session, parent_id, include_archived=False)
    if parent is None:
        raise UnitError("parent_id", "no such unit in this township")
    node = parent
    while unit is not None and node is not None:
        if node.id == unit.id:
            raise UnitError("parent_id", "a unit cannot be placed under itself")
        node = get_unit(session, node.parent_id) if node.parent_id else None


def create_unit(session: Session, *, code: str, name: str, kind: str,
                parent_id: uuid.UUID | None = None) -> OrgUnit:
    if kind not in UNIT_KINDS:
        raise UnitError("kind", f"one of {', '.join(UNIT_KINDS)}")
    if unit_by_code(session, code) is not None:
        raise UnitError("code", f"code {code!r} is already used in this township", 409)
    if kind == "committee":
        if root_unit(session) is not None:
            raise UnitError("kind", "the township already has its committee", 409)
        if parent_id is not None:
            raise UnitError("parent_id", "the committee is the root of the tree")
    else:
        _check_parent(session, None, parent_id)
    unit = OrgUnit(code=code, name=name, kind=kind, parent_id=parent_id)
    session.add(unit)
    session.flush()
    return unit


def update_unit(session: Session, unit: OrgUnit, changes: dict) -> OrgUnit:
    if unit.archived_at is not None:
        raise UnitError("id", "archived units cannot change", 409)
    code = changes.get("code", unit.code)
    if code != unit.code and unit_by_code(session, code) is not None:
        raise UnitError("code", f"code {changes['code']!r} is already used", 409)
    if "parent_id" in changes and unit.kind != "committee":
        _check_parent(session, unit, changes["parent_id"])
    elif "parent_id" in changes and changes["parent_id"] is not None:
        raise UnitError("parent_id", "the committee is the root of the tree")
    for key, value in changes.items():
        setattr(unit, key, value)
    session.flush()
    return unit


def archive_unit(session: Session, unit: OrgUnit) -> OrgUnit:
    if unit.kind == "committee" and unit.parent_id is None:
        raise UnitError("id", "the committee is the root and cannot be archived", 409)
    children = session.scalar(
        select(OrgUnit.id).where(OrgUnit.parent_id == unit.id, OrgUnit.archived_at.is_(None))
    )
    if children is not None:
        raise UnitError("id", "archive or move the units under it first", 409)
    if unit.archived_at is None:
        unit.archived_at = utcnow()
        session.flush()
    return unit


def units_of_kind(session: Session, *kinds: str) -> list[OrgUnit]:
    """The township's live units of ``kinds`` (all kinds when none), ordered by code."""
    statement = select(OrgUnit).where(OrgUnit.archived_at.is_(None)).order_by(OrgUnit.code)
    if kinds:
        statement = statement.where(OrgUnit.kind.in_(kinds))
    return list(session.scalars(statement))
