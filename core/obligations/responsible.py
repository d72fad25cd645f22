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
from zerenzhi.db.base import utcnow


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

    def holders(self, role: str, unit_id: uuid.UUID | None,
                at: dt.datetime | None = None) -> list[Holder]:
        """Holders at ``at``: from the post's start until its end. Now (``at`` None): every
        post not ended — a post is recorded when it is taken, so its holder answers for
        what it owes, including items due before they took it. Township-wide roles are not
        tied to a unit."""
        tied = ROLES[role].needs_unit if role in ROLES else True
        return [Holder(member_id, name)
                for r_role, r_unit, started, ended, member_id, name in self.rows
                if r_role == role and not (tied and r_unit != unit_id)
                and held(started, ended, at)]


def held(started: dt.datetime, ended: dt.datetime | None, at: dt.datetime | None) -> bool:
    """Whether a post was held at ``at`` (None: now, see ``Posts.holders``)."""
    if at is None:
        return ended is None or ended > utcnow()
    return started <= at and (ended is None or ended > at)
