"""Who answers for an obligation: the holder of its post (role at unit), resolved from
positions, so responsibility follows the post when its holder changes."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.auth.models import Member, Position
from zerenzhi.auth.roles import ROLES


@dataclass(frozen=True)
class Holder:
    member_id: uuid.UUID
    name: str


class Posts:
    """The tenant's positions, loaded once, answering "who held (role, unit) at t"."""

    def __init__(self, session: Session) -> None:
        self.rows = session.execute(
            select(Position.role, Position.unit_id, Position.started_at, Position.ended_at,
                   Member.id, Member.display_name)
            .join(Member, Member.id == Position.member_id)
            .order_by(Position.started_at)
        ).all()

    def holders(self, role: str, unit_id: uuid.UUID, at: dt.datetime | None = None) -> list[Holder]:
        """Holders at ``at`` (now when None). Township-wide roles are not tied to a unit."""
        tied = ROLES[role].needs_unit if role in ROLES else True
        found = []
        for r_role, r_unit, started, ended, member_id, name in self.rows:
            if r_role != role or (tied and r_unit != unit_id):
                continue
            if at is None:
                if ended is None:
                    found.append(Holder(member_id, name))
            elif started <= at and (ended is None or ended > at):
                found.append(Holder(member_id, name))
        return found
