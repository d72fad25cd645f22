"""Study sessions: validate, write in one transaction, keep the ledger saying what each
session counts for (W2, W3), emit events. No Flask here: routes, the import, demo data
and tests call the same functions. Callers commit."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    Evidence,
    OrgUnit,
    can_write_unit,
    emit,
    require_tenant,
    sync_evidence,
    unit_members,
    utcnow,
)
from zerenzhi.plugins.study.models import StudyAttendance, StudySession
from zerenzhi.plugins.study.rules import (
    BRANCH_IDEOLOGY_STUDY,
    BRANCH_THEORY_STUDY,
    SECRETARY_SPECIAL_STUDY,
)

SOURCE_TYPE = "study.session"  # how the ledger and references name a session
DEFAULT_START = dt.time(9, 0)  # a session recorded without a time counts as held at 09:00
FIELDS = ("held_on", "start_time", "kind", "title", "topics", "ideology", "presenter",
          "materials", "minutes")


class StudyError(ValueError):
    """Input that parsed but does not fit this township (422 on ``field``; 403 for scope)."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def active_unit(session: Session, unit_id: uuid.UUID) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.id == unit_id,
                                                OrgUnit.archived_at.is_(None)))
    if unit is None:  # scoped: a foreign unit is as unknown as a made-up one
        raise StudyError("unit_id", "no such unit in this township")
    return unit


def held_at(row: StudySession) -> dt.datetime:
    """When the session happened, as an aware datetime in the township's time zone."""
    zone = ZoneInfo(require_tenant().timezone)
    return dt.datetime.combine(row.held_on, row.start_time or DEFAULT_START, zone)


def counted_rules(kind: str, ideology: bool, unit_kind: str, settings: dict) -> list[str]:
    """The rules a session of ``kind`` (tagged ``ideology``) in a unit of ``unit_kind``
    counts toward under this township's settings (which kinds count for what)."""
    rules = []
    if kind in settings["special_study_kinds"] and unit_kind in SECRETARY_SPECIAL_STUDY.applies_to:
        rules.append(SECRETARY_SPECIAL_STUDY.key)  # W2: committee and branch secretaries
    if unit_kind in BRANCH_THEORY_STUDY.applies_to:
        if kind in settings["theory_study_kinds"]:
            rules.append(BRANCH_THEORY_STUDY.key)  # W3: 12 a year
        if ideology and kind in settings["ideology_study_kinds"]:
            rules.append(BRANCH_IDEOLOGY_STUDY.key)  # W3: 2 of them on ideology
    return rules


def sync_ledger(session: Session, row: StudySession, unit_kind: str, settings: dict) -> None:
    """Make the ledger say what ``row`` counts for now (nothing once archived)."""
    evidence = [] if row.archived_at is not None else [
        Evidence(rule, row.unit_id, held_at(row))
        for rule in counted_rules(row.kind, row.ideology, unit_kind, settings)
    ]
    sync_evidence(session, SOURCE_TYPE, row.id, evidence)


def check_attendance(session: Session, unit_id: uuid.UUID, entries: list[dict]) -> None:
    """Attendance names members posted to the session's unit, each once; absence needs a
    reason (the minutes of a branch's study record why someone was away)."""
    members = {member_id for member_id, _name, _role in unit_members(session, unit_id)}
    seen: set[uuid.UUID] = set()
    for index, entry in enumerate(entries):
        member_id = entry["member_id"]
        if member_id not in members:
            raise StudyError(f"attendance.{index}.member_id",
                             "not a member posted to this session's unit")
        if member_id in seen:
            raise StudyError(f"attendance.{index}.member_id", "listed twice")
        seen.add(member_id)
        if not entry["present"] and not (entry.get("absence_reason") or "").strip():
            raise StudyError(f"attendance.{index}.absence_reason",
                             "an absent member needs a reason")


def _set_attendance(row: StudySession, entries: list[dict], *, audited: bool = True) -> None:
    """Update rows in place: present/absent changes, a dropped member's row is archived
    (nothing is deleted), a re-listed one is restored."""
    by_member = {entry.member_id: entry for entry in row.attendance}
    wanted = {entry["member_id"]: entry for entry in entries}
    for member_id, existing in by_member.items():
        if member_id not in wanted and existing.archived_at is None:
            existing.archived_at = utcnow()
    for member_id, entry in wanted.items():
        reason = None if entry["present"] else entry.get("absence_reason")
        existing = by_member.get(member_id)
        if existing is None:
            existing = StudyAttendance(member_id=member_id, present=entry["present"],
                                       absence_reason=reason)
            if not audited:
                existing.__audit__ = False
            row.attendance.append(existing)
        else:
            existing.present, existing.absence_reason = entry["present"], reason
            existing.archived_at = None


def record_session(session: Session, data: dict, settings: dict, *,
                   audited: bool = True) -> StudySession:
    """Record a session and, in the same transaction, the ledger entries it earns.

    ``audited=False`` is for the import, which writes one audit entry for the whole file.
    """
    unit = active_unit(session, data["unit_id"])
    check_attendance(session, unit.id, data.get("attendance") or [])
    row = StudySession(unit_id=unit.id, **{k: data[k] for k in FIELDS if k in data})
    row.topics, row.materials = list(row.topics or []), list(row.materials or [])
    if not audited:
        row.__audit__ = False
    session.add(row)
    _set_attendance(row, data.get("attendance") or [], audited=audited)
    session.flush()
    sync_ledger(session, row, unit.kind, settings)
    emit(session, "study.session_recorded", session_id=str(row.id), unit_id=str(unit.id),
         kind=row.kind, held_on=row.held_on.isoformat())
    return row


def update_session(session: Session, row: StudySession, changes: dict,
                   settings: dict) -> StudySession:
    """Change a session; a new date, kind, tag or unit moves its ledger entries."""
    if row.archived_at is not None:
        raise StudyError("id", "an archived session cannot change", 409)
    unit = active_unit(session, changes.get("unit_id", row.unit_id))
    if unit.id != row.unit_id and not can_write_unit(unit.id):
        raise StudyError("unit_id", "this unit is outside your posts' scope", 403)
    if unit.id != row.unit_id and "attendance" not in changes:
        changes = {**changes, "attendance": []}  # the old unit's members no longer apply
    if "attendance" in changes:
        check_attendance(session, unit.id, changes["attendance"])
        _set_attendance(row, changes["attendance"])
    row.unit_id = unit.id
    for key in FIELDS:
        if key in changes:
            setattr(row, key, changes[key])
    session.flush()
    sync_ledger(session, row, unit.kind, settings)
    emit(session, "study.session_changed", session_id=str(row.id), unit_id=str(unit.id))
    return row


def archive_session(session: Session, row: StudySession) -> StudySession:
    """Archive (never delete): the session counts for nothing any more."""
    if row.archived_at is None:
        row.archived_at = utcnow()
        session.flush()
        sync_evidence(session, SOURCE_TYPE, row.id, [])
        emit(session, "study.session_archived", session_id=str(row.id))
    return row


def resync_all(session: Session, settings: dict) -> int:
    """Settings changed which kinds count: re-say every live session's evidence."""
    rows = session.execute(
        select(StudySession, OrgUnit.kind).join(OrgUnit, OrgUnit.id == StudySession.unit_id)
        .where(StudySession.archived_at.is_(None))
    ).all()
    for row, unit_kind in rows:
        sync_ledger(session, row, unit_kind, settings)
    return len(rows)


def attendance_summary(row: StudySession) -> dict[str, Any]:
    """Present, absent and the rate (present over those listed; None when nobody is)."""
    live = [a for a in row.attendance if a.archived_at is None]
    present = sum(1 for a in live if a.present)
    return {"present_count": present, "absent_count": len(live) - present,
            "attendance_rate": round(present / len(live), 4) if live else None}


def describe(session: Session, session_id: str) -> dict[str, Any] | None:
    try:
        row = session.get(StudySession, (require_tenant().id, uuid.UUID(session_id)))
    except ValueError:
        return None
    if row is None:
        return None
    return {"type": SOURCE_TYPE, "id": str(row.id), "title": row.title,
            "status": "archived" if row.archived_at else "held",
            "unit_id": str(row.unit_id), "held_on": row.held_on.isoformat()}
