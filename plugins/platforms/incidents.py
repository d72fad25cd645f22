"""Incidents (P2, P3): recording, the handling timeline (邊處置，邊報告), closing.

Recording an incident of the reportable severity (settings ``report_from_severity``,
default 重大 major) starts ``platforms.incident_report`` at the committee: the first report
to the higher level is due within the rule's hours (2 by default) of its *detection*
(``detected_at``), not of when it was typed in — 邊處置，邊報告 runs from the moment the
township knew; the lag between the two is shown (``recording_lag_minutes``). The
earliest live timeline entry of kind ``report`` fulfils it — late or not; lateness is kept
on the incident (``report_due_at`` vs ``first_report_at``) so it stays visible after the
obligation counts as fulfilled. Liaison entries (P3) are part of the timeline but are not
the report; the incident shows when it first liaised and with which departments
(``liaison``: ``missing`` for a reportable incident without any). No Flask here; callers
commit (``writing()``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    close_event_obligation,
    committee,
    emit,
    live_unit,
    open_event_obligation,
    reschedule_event_obligation,
    send_upward,
    sync_evidence,
    utcnow,
)
from zerenzhi.plugins.platforms.catalogue import is_reportable
from zerenzhi.plugins.platforms.common import check_member
from zerenzhi.plugins.platforms.models import Channel, Incident, TimelineEntry
from zerenzhi.plugins.platforms.rules import INCIDENT_REPORT

SOURCE_TYPE = "platforms.incident"  # the reference type and the ledger's source type
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
EDITABLE = ("title", "category", "severity", "description", "detected_at", "channel_id")
NEEDS_RECIPIENT = ("report", "liaison")


def _moment(value: dt.datetime, field: str, now: dt.datetime,
            not_before: dt.datetime = EARLIEST, what: str = "2000") -> None:
    if value > now:
        raise DomainError(field, "cannot be in the future")
    if value < not_before:
        raise DomainError(field, f"cannot be before {what}")


def _channel(session: Session, channel_id: uuid.UUID | None) -> None:
    if channel_id is None:
        return
    found = session.scalar(select(Channel.id).where(Channel.id == channel_id,
                                                    Channel.archived_at.is_(None)))
    if found is None:
        raise DomainError("channel_id", "no such channel in the register")


def _start_clock(session: Session, incident: Incident) -> None:
    """Open the P2 report obligation from the detection (idempotent per incident; None if
    switched off). Raised to a reportable severity later, the clock still runs from the
    detection: the correction says what the incident was when it was found."""
    if incident.report_obligation_id is not None:
        return
    obligation = open_event_obligation(session, INCIDENT_REPORT.key, committee(session).id,
                                       SOURCE_TYPE, incident.id, incident.detected_at)
    if obligation is not None:
        incident.report_obligation_id, incident.report_due_at = obligation.id, obligation.due_at


def _move_clock(session: Session, incident: Incident, detected_at: dt.datetime) -> None:
    """The detection was corrected: the running report deadline moves with it (P2)."""
    if incident.report_obligation_id is None or incident.report_due_at is None:
        return
    due = incident.report_due_at + (detected_at - incident.detected_at)
    moved = reschedule_event_obligation(session, INCIDENT_REPORT.key, committee(session).id,
                                        SOURCE_TYPE, incident.id, due, triggered_at=detected_at)
    if moved is not None:
        incident.report_due_at = moved.due_at


def _stop_clock(session: Session, incident: Incident) -> None:
    """Nothing is owed any more (archived, or lowered before any report): the obligation
    is archived by core; opening the same incident again restores it with its due time."""
    if incident.report_obligation_id is None:
        return
    close_event_obligation(session, INCIDENT_REPORT.key, committee(session).id, SOURCE_TYPE,
                           incident.id)
    incident.report_obligation_id = incident.report_due_at = None


def record_incident(session: Session, data: dict, settings: dict,
                    now: dt.datetime | None = None) -> Incident:
    """Record an incident; a reportable one starts the report deadline from its detection."""
    now = now or utcnow()
    unit = live_unit(session, data["unit_id"])
    _channel(session, data.get("channel_id"))
    _moment(data["detected_at"], "detected_at", now)
    data = {**data, "detected_at": data["detected_at"].astimezone(dt.UTC)}  # as read back
    incident = Incident(unit_id=unit.id, recorded_at=now, status="open",
                        **{k: data.get(k) for k in EDITABLE})
    session.add(incident)
    session.flush()
    if is_reportable(incident.severity, settings["report_from_severity"]):
        _start_clock(session, incident)
    session.flush()
    emit(session, "platforms.incident_recorded", incident_id=str(incident.id),
         severity=incident.severity, category=incident.category)
    return incident


def _open(incident: Incident) -> None:
    if incident.archived_at is not None:
        raise DomainError("id", "an archived incident cannot change", 409)
    if incident.status == "closed":
        raise DomainError("status", "a closed incident cannot change", 409)


def timeline(incident: Incident) -> Select:
    """The incident's timeline in time order, archived entries included."""
    return select(TimelineEntry).where(TimelineEntry.incident_id == incident.id).order_by(
        TimelineEntry.at, TimelineEntry.created_at, TimelineEntry.id)


def _entries(session: Session, incident: Incident) -> list[TimelineEntry]:
    return list(session.scalars(timeline(incident)))


def update_incident(session: Session, incident: Incident, changes: dict, settings: dict,
                    now: dt.datetime | None = None) -> Incident:
    """Correct an open incident. Raising it to a reportable severity starts the clock
    from the detection (or restores the one it had); lowering it before any report stops
    it; correcting ``detected_at`` moves a running deadline with it."""
    now = now or utcnow()
    _open(incident)
    if "channel_id" in changes:
        _channel(session, changes["channel_id"])
    if "detected_at" in changes:
        changes = {**changes, "detected_at": changes["detected_at"].astimezone(dt.UTC)}
        _moment(changes["detected_at"], "detected_at", now)
        live = [e.at for e in _entries(session, incident) if e.archived_at is None]
        if live and changes["detected_at"] > min(live):
            raise DomainError("detected_at", "after the first timeline entry")
        _move_clock(session, incident, changes["detected_at"])
    for key in EDITABLE:
        if key in changes:
            setattr(incident, key, changes[key])
    if is_reportable(incident.severity, settings["report_from_severity"]):
        _start_clock(session, incident)
    elif incident.first_report_at is None:
        _stop_clock(session, incident)
    session.flush()
    _sync(session, incident)
    emit(session, "platforms.incident_changed", incident_id=str(incident.id))
    return incident


def _sync(session: Session, incident: Incident) -> None:
    """The earliest live report fulfils the incident's report obligation (nothing once
    the incident is archived); the live liaison entries say when and with whom P3's
    liaison happened."""
    live = [e for e in _entries(session, incident) if e.archived_at is None]
    reports = [e.at for e in live if e.kind == "report"]
    incident.first_report_at = min(reports) if reports else None
    liaisons = [e for e in live if e.kind == "liaison"]
    incident.first_liaison_at = min((e.at for e in liaisons), default=None)
    incident.liaised_with = list(dict.fromkeys(e.reported_to for e in liaisons))
    evidence = []
    if incident.report_obligation_id and incident.first_report_at and \
            incident.archived_at is None:
        evidence.append(Evidence(INCIDENT_REPORT.key, committee(session).id,
                                 incident.first_report_at, incident.report_obligation_id))
    sync_evidence(session, SOURCE_TYPE, incident.id, evidence)


def add_entry(session: Session, incident: Incident, data: dict,
              now: dt.datetime | None = None) -> TimelineEntry:
    """Add a handling step, a report or a liaison to an open incident's timeline."""
    now = now or utcnow()
    _open(incident)
    at = data.get("at") or now
    _moment(at, "at", now, incident.detected_at, "the incident was detected")
    check_member(session, data.get("actor_member_id"), "actor_member_id")
    recipient = (data.get("reported_to") or "").strip()
    if data["kind"] in NEEDS_RECIPIENT and not recipient:
        raise DomainError("reported_to", "a report or liaison names whom it went to")
    entry = TimelineEntry(incident_id=incident.id, at=at, kind=data["kind"],
                          actor=data["actor"].strip(), actor_member_id=data.get("actor_member_id"),
                          action=data["action"].strip(), reported_to=recipient or None,
                          reference=data.get("reference"))
    first_report = entry.kind == "report" and incident.first_report_at is None
    session.add(entry)
    session.flush()
    _sync(session, incident)
    if first_report:  # P2: the first report reaches the county's inbox; follow-ups stay here
        send_upward(session, "incident_report", incident.title,
                    f"{entry.action}\n\n{entry.actor} → {recipient}", SOURCE_TYPE,
                    incident.id)
    emit(session, "platforms.incident_step", incident_id=str(incident.id), kind=entry.kind)
    return entry


def archive_entry(session: Session, incident: Incident, entry: TimelineEntry) -> None:
    """Archive a mistaken entry of an open incident; the next report (if any) counts."""
    _open(incident)
    if entry.archived_at is None:
        entry.archived_at = utcnow()
        session.flush()
        _sync(session, incident)


def close_incident(session: Session, incident: Incident, data: dict, settings: dict,
                   now: dt.datetime | None = None) -> Incident:
    """Close with a summary. A reportable incident is closed only after its first
    report to the higher level (P2: handled and reported, never handled instead)."""
    now = now or utcnow()
    _open(incident)
    summary = data["summary"].strip()
    if not summary:
        raise DomainError("summary", "closing needs a summary of the handling")
    live = [e.at for e in _entries(session, incident) if e.archived_at is None]
    closed_at = data.get("closed_at") or now
    _moment(closed_at, "closed_at", now, max(live, default=incident.detected_at),
            "the last timeline entry")
    if is_reportable(incident.severity, settings["report_from_severity"]) and \
            incident.first_report_at is None:
        raise DomainError("timeline", "a major incident is closed only after its first "
                                      "report to the higher level (P2)", 409)
    incident.status, incident.summary, incident.closed_at = "closed", summary, closed_at
    session.flush()
    emit(session, "platforms.incident_closed", incident_id=str(incident.id))
    return incident


def archive_incident(session: Session, incident: Incident) -> Incident:
    """Archive an incident recorded in error: its report stops counting and nothing is
    owed any more (the report obligation is closed)."""
    if incident.archived_at is None:
        incident.archived_at = utcnow()
        session.flush()
        _sync(session, incident)
        _stop_clock(session, incident)
        emit(session, "platforms.incident_archived", incident_id=str(incident.id))
    return incident


def describe(session: Session, ref_id: str) -> dict[str, Any] | None:
    """For core references: title and status, nothing of the body."""
    try:
        row = session.scalar(select(Incident).where(Incident.id == uuid.UUID(str(ref_id))))
    except ValueError:
        return None
    if row is None:
        return None
    return {"type": SOURCE_TYPE, "id": str(row.id), "title": row.title,
            "status": "archived" if row.archived_at else row.status}
