"""Reminders (the scheduler's ``obligations.remind`` job; ``zerenzhi obligations remind``):
``obligation.due_soon``, ``obligation.overdue`` and a weekly ``obligation.digest`` per
responsible person, sent as events to the plugins a township enabled (notifiers such as
the webhook plugin). Reads obligations only: the calendar is materialised beforehand.

"Exactly once" is a ``ReminderSent`` row written in the same transaction as the event, so
a second run — or a crashed one rolled back — never repeats or loses a reminder. When two
runs overlap, the later commit fails on the unique key and that township's batch rolls
back whole, events included.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.auth.roles import ROLES
from zerenzhi.db.base import utcnow
from zerenzhi.events import emit
from zerenzhi.labels import render
from zerenzhi.obligations.models import Obligation, ReminderSent
from zerenzhi.obligations.periods import local_today
from zerenzhi.obligations.service import describe
from zerenzhi.obligations.status import Window, status_query
from zerenzhi.tenancy.context import require_tenant

DEFAULT_THRESHOLDS = (30, 7, 1)
# Overdue reminders look back this far, so a first run on an old database does not flood a
# group chat with years of history; the dashboard still lists every overdue item.
OVERDUE_LOOKBACK = dt.timedelta(days=90)


@dataclass
class Reminded:
    """How many events one township's run emitted."""

    due_soon: int = 0
    overdue: int = 0
    digests: int = 0

    def __str__(self) -> str:
        return f"{self.due_soon} due soon, {self.overdue} overdue, {self.digests} digests"

    def __bool__(self) -> bool:
        return bool(self.due_soon or self.overdue or self.digests)


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _brief(item: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    """An obligation as JSON-ready event data. It carries what a notifier shows, so none
    keeps its own copy of core's tables: the local day it is due (``due_on``, the township's
    reading of ``due_at``) and the name of the post that answers for it
    (``responsible_role_label``, in the seed's script, as the notifiers write; M1–M3)."""
    left = (item["due_at"] - at).total_seconds() / 86400
    return {
        "obligation_id": str(item["id"]), "rule": item["rule"], "title": item["title"],
        "source": item["source"], "unit_id": str(item["unit_id"]),
        "unit_name": item["unit_name"], "period": item["period"],
        "due_at": item["due_at"].isoformat(), "due_on": item["due_on"].isoformat(),
        "status": item["status"],
        "days_left": math.ceil(left) if left > 0 else 0,
        "days_overdue": math.floor(-left) if left <= 0 else 0,
        "responsible_role": item["responsible_role"],
        "responsible_role_label": render(ROLES[item["responsible_role"]].label, "zh-Hant"),
        "responsible": [{"id": str(p["id"]), "name": p["name"]} for p in item["responsible"]],
    }


def _crossed(item: dict[str, Any], at: dt.datetime, thresholds: Sequence[int]) -> list[int]:
    """Thresholds crossed, tightest first: due within that many days of ``at``."""
    return sorted(t for t in thresholds if item["due_at"] - at <= dt.timedelta(days=t))


def remind(session: Session, at: dt.datetime | None = None,
           thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> Reminded:
    """Emit the current tenant's due reminders as of ``at``; the caller commits.

    A due-soon obligation gets one event for the tightest threshold it has crossed; wider
    ones crossed at the same time are marked as passed, so a late first run says "1 day
    left" once instead of three times. The digest goes out on the first run of each ISO
    week (township time) to each current holder of a post with open or overdue items.
    """
    at = at or utcnow()
    tenant = require_tenant()
    horizon = dt.timedelta(days=max(thresholds))
    since = at - OVERDUE_LOOKBACK
    rows = session.execute(
        status_query(Window(due_from=since, due_to=at + horizon + dt.timedelta(seconds=1)),
                     at, horizon.days)
        .order_by(Obligation.due_at, Obligation.rule_key, Obligation.unit_id)
    ).all()
    items = [i for i in describe(rows, session, at) if i["status"] in ("due_soon", "overdue")]
    week = iso_week(local_today(tenant.timezone, at))
    holders = {p["id"]: p["name"] for item in items for p in item["responsible"]}
    subjects = [item["id"] for item in items] + list(holders)
    sent = set(session.execute(select(ReminderSent.obligation_id, ReminderSent.kind).where(
        ReminderSent.obligation_id.in_(subjects))).all()) if subjects else set()
    result = Reminded()

    def mark(subject, kind: str) -> bool:
        if (subject, kind) in sent:
            return False
        session.add(ReminderSent(obligation_id=subject, kind=kind, sent_at=utcnow()))
        sent.add((subject, kind))
        return True

    for item in items:
        data = _brief(item, at)
        if item["status"] == "overdue":
            if mark(item["id"], "overdue"):
                emit(session, "obligation.overdue", strict=True, **data)
                result.overdue += 1
            continue
        crossed = _crossed(item, at, thresholds)
        if crossed and (item["id"], f"due_soon:{crossed[0]}") not in sent:
            for threshold in crossed:
                mark(item["id"], f"due_soon:{threshold}")
            emit(session, "obligation.due_soon", strict=True, **data, threshold=crossed[0])
            result.due_soon += 1
    for member_id, name in holders.items():
        # the subject of a digest is the person; the week keeps it to one per week
        if not mark(member_id, f"digest:{week}"):
            continue
        mine = [_brief(i, at) for i in items if any(p["id"] == member_id
                                                    for p in i["responsible"])]
        emit(session, "obligation.digest", strict=True, member_id=str(member_id),
             member_name=name, week=week,
             overdue=[i for i in mine if i["status"] == "overdue"],
             open=[i for i in mine if i["status"] != "overdue"])
        result.digests += 1
    session.flush()
    return result
