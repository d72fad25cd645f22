"""Findings and their rectification (整改, I1–I3).

A rectification plan needs an owner and a deadline; setting it starts
``inspection.rectification`` for the unit, due at the end of the deadline day. The unit
hands in evidence; the office's verification is what fulfils the obligation; an
effectiveness check follows later. Archiving a finding withdraws it everywhere.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    Evidence,
    close_event_obligation,
    describe_reference,
    emit,
    open_event_obligation,
    sync_evidence,
    utcnow,
)
from zerenzhi.plugins.inspection.common import (
    Actor,
    InspectionError,
    end_of_day,
    local_noon,
    today,
    unit_of,
    zone,
)
from zerenzhi.plugins.inspection.models import Campaign, Finding
from zerenzhi.plugins.inspection.rules import FINDING_KINDS, RECTIFICATION

SOURCE = "inspection_finding"
TRIGGER = "inspection.finding"
PLAN_FIELDS = ("plan", "owner", "deadline")


def status_of(finding: Finding, on: dt.date | None = None) -> str:
    """no_plan → rectifying → (awaiting_verification) → verified → effective/not_effective;
    overdue while unverified past the deadline (as its obligation is)."""
    on = on or today()
    if finding.archived_at is not None:
        return "archived"
    if finding.verified_at is not None:
        return finding.effectiveness or "verified"
    if finding.deadline is not None and on > finding.deadline:
        return "overdue"
    if finding.rectified_on is not None:
        return "awaiting_verification"
    return "rectifying" if finding.deadline is not None else "no_plan"


def get_finding(session: Session, finding_id: uuid.UUID) -> Finding | None:
    return session.scalar(select(Finding).where(Finding.id == finding_id))


def _sync(session: Session, finding: Finding) -> None:
    session.flush()
    evidence = []
    if finding.archived_at is None and finding.verified_at and finding.obligation_id:
        evidence.append(Evidence(RECTIFICATION.key, finding.unit_id, finding.verified_at,
                                 finding.obligation_id))
    sync_evidence(session, SOURCE, finding.id, evidence)


def _obligation(session: Session, finding: Finding):
    """Start (or re-open) the finding's rectification deadline; moved if the plan moved."""
    return open_event_obligation(session, RECTIFICATION.key, finding.unit_id, TRIGGER,
                                 finding.id, local_noon(finding.found_on),
                                 due_at=end_of_day(finding.deadline))


def _check_plan(values: dict) -> None:
    given = [name for name in PLAN_FIELDS if values.get(name)]
    if given and len(given) != len(PLAN_FIELDS):
        missing = [name for name in PLAN_FIELDS if name not in given]
        raise InspectionError(missing[0], "a rectification plan has a plan, an owner and a "
                              "deadline")
    if values.get("deadline") and values["deadline"] < values["found_on"]:
        raise InspectionError("deadline", "on or after the day it was found")


def _check_source(session: Session, source: dict | None) -> tuple[str | None, str | None]:
    if not source:
        return None, None
    if describe_reference(session, source["type"], str(source["id"])) is None:
        raise InspectionError("source", "no such record in this township's enabled modules")
    return source["type"], str(source["id"])


def raise_finding(session: Session, *, unit_id: uuid.UUID, severity: str, description: str,
                  campaign: Campaign | None = None, found_on: dt.date | None = None,
                  evidence: str = "", root_cause: str = "", source: dict | None = None,
                  plan: str = "", owner: str = "", deadline: dt.date | None = None) -> Finding:
    """Raise a finding in a campaign or from elsewhere (e.g. citing an analysis)."""
    if campaign is not None and campaign.archived_at is not None:
        raise InspectionError("campaign_id", "archived campaigns cannot change", 409)
    unit = unit_of(session, unit_id, FINDING_KINDS)
    found_on = found_on or today()
    _check_plan({"plan": plan, "owner": owner, "deadline": deadline, "found_on": found_on})
    source_type, source_id = _check_source(session, source)
    finding = Finding(campaign_id=campaign.id if campaign else None, unit_id=unit.id,
                      severity=severity, found_on=found_on, description=description,
                      evidence=evidence, root_cause=root_cause, source_type=source_type,
                      source_id=source_id, plan=plan, owner=owner, deadline=deadline)
    session.add(finding)
    session.flush()
    if deadline is not None:
        obligation = _obligation(session, finding)
        finding.obligation_id = obligation.id if obligation is not None else None
    _sync(session, finding)
    emit(session, "inspection.finding_raised", finding_id=str(finding.id),
         unit_id=str(unit.id), severity=severity)
    return finding


def update_finding(session: Session, finding: Finding, changes: dict) -> Finding:
    if finding.archived_at is not None:
        raise InspectionError("id", "archived findings cannot change", 409)
    if finding.verified_at is not None and set(changes) & {*PLAN_FIELDS, "found_on"}:
        raise InspectionError("deadline", "the rectification is already verified", 409)
    merged = {name: changes.get(name, getattr(finding, name))
              for name in (*PLAN_FIELDS, "found_on")}
    _check_plan(merged)
    for key, value in changes.items():
        setattr(finding, key, value)
    if finding.deadline is not None:
        obligation = _obligation(session, finding)
        finding.obligation_id = obligation.id if obligation is not None else None
    _sync(session, finding)
    return finding


def rectify(session: Session, finding: Finding, *, evidence: str,
            rectified_on: dt.date | None = None) -> Finding:
    """The unit reports its rectification with evidence; the office verifies next."""
    if finding.archived_at is not None or finding.verified_at is not None:
        raise InspectionError("id", "nothing left to rectify", 409)
    if finding.deadline is None:
        raise InspectionError("deadline", "set a rectification plan with a deadline first", 409)
    finding.rectified_on = rectified_on or today()
    finding.rectification_evidence = evidence
    _sync(session, finding)
    return finding


def verify(session: Session, finding: Finding, *, accepted: bool, note: str,
           actor: Actor | None, at: dt.datetime | None = None) -> Finding:
    """The office accepts the rectification (fulfilling the obligation) or sends it back."""
    if finding.archived_at is not None or finding.verified_at is not None:
        raise InspectionError("id", "already verified", 409)
    if finding.rectified_on is None:
        raise InspectionError("id", "no rectification reported yet", 409)
    finding.verification_note = note
    if accepted:
        finding.verified_at = at or utcnow()
        if actor is not None:
            finding.verified_by, finding.verified_by_name = actor.member_id, actor.name
    else:
        finding.rectified_on = None  # back to the unit
    _sync(session, finding)
    emit(session, "inspection.rectification_verified" if accepted
         else "inspection.rectification_returned", finding_id=str(finding.id))
    return finding


def check_effectiveness(session: Session, finding: Finding, *, effective: bool, note: str,
                        checked_on: dt.date | None = None) -> Finding:
    if finding.archived_at is not None or finding.verified_at is None:
        raise InspectionError("id", "verify the rectification first", 409)
    checked_on = checked_on or today()
    if checked_on < finding.verified_at.astimezone(zone()).date():
        raise InspectionError("checked_on", "after the verification")
    finding.effectiveness = "effective" if effective else "not_effective"
    finding.effectiveness_checked_on, finding.effectiveness_note = checked_on, note
    session.flush()
    return finding


def archive_finding(session: Session, finding: Finding) -> Finding:
    if finding.archived_at is None:
        finding.archived_at = utcnow()
        if finding.obligation_id is not None and finding.deadline is not None:
            close_event_obligation(session, RECTIFICATION.key, finding.unit_id, TRIGGER,
                                   finding.id)
        _sync(session, finding)
    return finding


def describe(session: Session, finding_id: str) -> dict | None:
    try:
        finding = get_finding(session, uuid.UUID(str(finding_id)))
    except ValueError:
        return None
    if finding is None:
        return None
    return {"type": "inspection.finding", "id": str(finding.id),
            "title": finding.description[:80], "status": status_of(finding),
            "unit_id": str(finding.unit_id), "severity": finding.severity,
            "deadline": finding.deadline.isoformat() if finding.deadline else None}
