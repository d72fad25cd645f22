"""Helpers shared by the inspection services: the caller, the units a record may name, and
records shown with what a list computes beside them.

``caller()`` reads the request's identity through ``zerenzhi.current_identity``. Outside a
request the services take the acting person explicitly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from zerenzhi import DomainError, OrgUnit, current_identity, live_unit


@dataclass(frozen=True)
class Actor:
    member_id: uuid.UUID | None
    name: str


def caller() -> Actor | None:
    identity = current_identity()
    return None if identity is None else Actor(identity.user_id, identity.display_name)


def obligation_brief(found: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a record shows of its obligation: id, status and when it is due."""
    if found is None:
        return None
    return {"id": found["id"], "status": found["status"], "due_at": found["due_at"]}


def unit_of(session: Session, unit_id: uuid.UUID, kinds: tuple[str, ...],
            field: str = "unit_id") -> OrgUnit:
    """A live unit of one of ``kinds``: campaigns are led by the office, checks and ratings
    reach villages and stations (I1), findings also branches and the office."""
    unit = live_unit(session, unit_id, field=field)
    if unit.kind not in kinds:
        raise DomainError(field, f"a unit of kind {', '.join(kinds)}")
    return unit


class Shown:
    """A record and what its list shows beside it (coverage, obligation status), computed
    for a whole page by the services: the schema dumps plain values and never queries.
    Any other attribute is the record's."""

    def __init__(self, record: Any, **shown: Any) -> None:
        self.__dict__.update(shown, record=record)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.record, name)
