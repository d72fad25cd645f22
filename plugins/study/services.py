"""Study meetings: validate, write in one transaction, keep the ledger saying what each
meeting counts for (W2, W3), emit events, and say what the API shows of a page of them.
No Flask here: routes, the import, demo data and tests call the same functions. Callers
commit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    OrgUnit,
    can_write_unit,
    emit,
    listed,
    live_unit,
    require_tenant,
    sync_evidence,
    tenant_zone,
    township_members,
    utcnow,
)
from zerenzhi.plugins.study.models import StudyAttendance, StudyMeeting
from zerenzhi.plugins.study.rules import (
    BRANCH_IDEOLOGY_STUDY,
    BRANCH_THEORY_STUDY,
    SECRETARY_SPECIAL_STUDY,
)

SOURCE_TYPE = "study.session"  # how the ledger and references name a meeting (published)
DEFAULT_START = dt.time(9, 0)  # a meeting recorded without a time counts as held at 09:00
DELIBERATION = "special_study"  # 專題研究: the only kind that is W2's deliberation (0019)
FIELDS = ("held_on", "start_time", "kind", "title", "topics", "ideology", "presenter",
          "materials", "minutes")
COLUMNS = tuple(column.key for column in StudyMeeting.__table__.columns)


def held_at(row: StudyMeeting) -> dt.datetime:
    """When the meeting happened, as an aware datetime in the township's time zone."""
    return dt.datetime.combine(row.held_on, row.start_time or DEFAULT_START, tenant_zone())


def counted_rules(kind: str, ideology: bool, unit_kind: str, settings: dict) -> list[str]:
    """The rules a meeting of ``kind`` (tagged ``ideology``) in a unit of ``unit_kind``
    counts toward under this township's settings (which kinds count for what)."""
    rules = []
    if kind == DELIBERATION and unit_kind in SECRETARY_SPECIAL_STUDY.applies_to:
        rules.append(SECRETARY_SPECIAL_STUDY.key)  # W2: a branch's deliberation, never a study
    if unit_kind in BRANCH_THEORY_STUDY.applies_to:
        if kind in settings["theory_study_kinds"]:
            rules.append(BRANCH_THEORY_STUDY.key)  # W3: 12 a year
        if ideology and kind in settings["ideology_study_kinds"]:
            rules.append(BRANCH_IDEOLOGY_STUDY.key)  # W3: 2 of them on ideology
    return rules


def sync_ledger(session: Session, row: StudyMeeting, unit_kind: str, settings: dict) -> None:
    """Make the ledger say what ``row`` counts for now (nothing once archived)."""
    evidence = [] if row.archived_at is not None else [
        Evidence(rule, row.unit_id, held_at(row))
        for rule in counted_rules(row.kind, row.ideology, unit_kind, settings)
    ]
    sync_evidence(session, SOURCE_TYPE, row.id, evidence)


def check_attendance(session: Session, unit_id: uuid.UUID, entries: list[dict]) -> None:
    """Attendance names members posted to the meeting's unit (all looked up in one
    statement), each once; absence needs a reason (the minutes of a branch's study record
    why someone was away)."""
    posted = township_members(session, [e["member_id"] for e in entries],
                              unit_id=unit_id) if entries else {}
    seen: set[uuid.UUID] = set()
    for index, entry in enumerate(entries):
        member_id = entry["member_id"]
        if member_id not in posted:
            raise DomainError(f"attendance.{index}.member_id",
                              "not a member posted to this session's unit")
        if member_id in seen:
            raise DomainError(f"attendance.{index}.member_id", "listed twice")
        seen.add(member_id)
        if not entry["present"] and not (entry.get("absence_reason") or "").strip():
            raise DomainError(f"attendance.{index}.absence_reason",
                              "an absent member needs a reason")


def _set_attendance(row: StudyMeeting, entries: list[dict], *, audited: bool = True) -> None:
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


def record_meeting(session: Session, data: dict, settings: dict, *,
                   audited: bool = True) -> StudyMeeting:
    """Record a meeting and, in the same transaction, the ledger entries it earns.

    ``audited=False`` is for the import, which writes one audit entry for the whole file.
    """
    unit = live_unit(session, data["unit_id"])
    check_attendance(session, unit.id, data.get("attendance") or [])
    row = StudyMeeting(unit_id=unit.id, **{k: data[k] for k in FIELDS if k in data})
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


def update_meeting(session: Session, row: StudyMeeting, changes: dict,
                   settings: dict) -> StudyMeeting:
    """Change a meeting; a new date, kind, tag or unit moves its ledger entries."""
    if row.archived_at is not None:
        raise DomainError("id", "an archived session cannot change", 409)
    unit = live_unit(session, changes.get("unit_id", row.unit_id))
    if unit.id != row.unit_id and not can_write_unit(unit.id):
        raise DomainError("unit_id", "this unit is outside your posts' scope", 403)
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


def archive_meeting(session: Session, row: StudyMeeting) -> StudyMeeting:
    """Archive (never delete): the meeting counts for nothing any more."""
    if row.archived_at is None:
        row.archived_at = utcnow()
        session.flush()
        sync_evidence(session, SOURCE_TYPE, row.id, [])
        emit(session, "study.session_archived", session_id=str(row.id))
    return row


def resync_all(session: Session, settings: dict) -> int:
    """Settings changed which kinds count: re-say every live meeting's evidence."""
    rows = session.execute(
        select(StudyMeeting, OrgUnit.kind).join(OrgUnit, OrgUnit.id == StudyMeeting.unit_id)
        .where(StudyMeeting.archived_at.is_(None))
    ).all()
    for row, unit_kind in rows:
        sync_ledger(session, row, unit_kind, settings)
    return len(rows)


def meetings(query: Mapping[str, Any]) -> Select:
    """The list's select, newest first: by unit, kind, tag, year or a range of days."""
    statement = listed(StudyMeeting, query, match=("unit_id", "kind", "ideology"),
                       order_by=(StudyMeeting.held_on.desc(), StudyMeeting.id.desc()))
    if "year" in query:
        statement = statement.where(StudyMeeting.held_on.between(
            dt.date(query["year"], 1, 1), dt.date(query["year"], 12, 31)))
    if "held_from" in query:
        statement = statement.where(StudyMeeting.held_on >= query["held_from"])
    if "held_to" in query:
        statement = statement.where(StudyMeeting.held_on <= query["held_to"])
    return statement


def shown(session: Session, rows: Sequence[StudyMeeting], settings: dict) -> list[dict]:
    """What the API shows of each meeting, for a whole page at once: its columns, its live
    attendance with the counts and rate, and the rules it counts toward now.

    Set-based, so a page costs the same whatever its size: the page's unit kinds come in
    one statement, and attendance was loaded with the page (``selectin``: one more).
    """
    unit_ids = {row.unit_id for row in rows}
    kinds = dict(session.execute(select(OrgUnit.id, OrgUnit.kind)
                                 .where(OrgUnit.id.in_(unit_ids))).all()) if rows else {}
    return [_shown(row, kinds.get(row.unit_id, ""), settings) for row in rows]


def _shown(row: StudyMeeting, unit_kind: str, settings: dict) -> dict:
    live = [a for a in row.attendance if a.archived_at is None]
    present = sum(1 for a in live if a.present)
    return {
        **{key: getattr(row, key) for key in COLUMNS},
        "attendance": [{"member_id": a.member_id, "present": a.present,
                        "absence_reason": a.absence_reason} for a in live],
        "present_count": present, "absent_count": len(live) - present,
        "attendance_rate": round(present / len(live), 4) if live else None,  # of those listed
        "counts_toward": [] if row.archived_at is not None else counted_rules(
            row.kind, row.ideology, unit_kind, settings),
    }


def describe(session: Session, ref_id: str) -> dict[str, Any] | None:
    try:
        row = session.get(StudyMeeting, (require_tenant().id, uuid.UUID(ref_id)))
    except ValueError:
        return None
    if row is None:
        return None
    return {"type": SOURCE_TYPE, "id": str(row.id), "title": row.title,
            "status": "archived" if row.archived_at else "held",
            "unit_id": str(row.unit_id), "held_on": row.held_on.isoformat()}
