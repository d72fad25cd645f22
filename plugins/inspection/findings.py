"""Findings and their rectification (整改, I1–I3).

A rectification plan needs an owner and a deadline; setting it starts
``inspection.rectification`` for the unit, due at the end of the deadline day. The unit
hands in evidence; the office's verification is what fulfils the obligation; an
effectiveness check follows later. Archiving a finding withdraws it everywhere.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    close_event_obligation,
    describe_obligations,
    describe_reference,
    emit,
    listed,
    local_noon,
    open_event_obligation,
    start_of_day,
    sync_evidence,
    tenant_zone,
    today,
    utcnow,
)
from zerenzhi.plugins.inspection.common import Actor, Shown, obligation_brief, unit_of
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


def listing(query: dict) -> Select:
    """The findings a list asks for, by deadline; ``overdue`` (unverified past the deadline)
    and ``open`` (unverified) filter either way."""
    statement = listed(Finding, query, match=("campaign_id", "unit_id"),
                       order_by=(Finding.deadline, Finding.found_on, Finding.id))
    unverified = Finding.verified_at.is_(None)
    overdue = and_(unverified, Finding.deadline < today())
    for name, condition in (("overdue", overdue), ("open", unverified)):
        if name in query:
            statement = statement.where(condition if query[name] else ~condition)
    return statement


def _sync(session: Session, finding: Finding) -> None:
    session.flush()
    evidence = []
    if finding.archived_at is None and finding.verified_at and finding.obligation_id:
        evidence.append(Evidence(RECTIFICATION.key, finding.unit_id, finding.verified_at,
                                 finding.obligation_id))
    sync_evidence(session, SOURCE, finding.id, evidence)


def _obligation(session: Session, finding: Finding):
    """Start (or re-open) the finding's rectification, due when its deadline day ends (as
    core's period due dates are); moved if the plan moved."""
    return open_event_obligation(session, RECTIFICATION.key, finding.unit_id, TRIGGER,
                                 finding.id, local_noon(finding.found_on),
                                 due_at=start_of_day(finding.deadline + dt.timedelta(days=1)))


def _check_plan(values: dict) -> None:
    given = [name for name in PLAN_FIELDS if values.get(name)]
    if given and len(given) != len(PLAN_FIELDS):
        missing = [name for name in PLAN_FIELDS if name not in given]
        raise DomainError(missing[0], "a rectification plan has a plan, an owner and a "
                              "deadline")
    if values.get("deadline") and values["deadline"] < values["found_on"]:
        raise DomainError("deadline", "on or after the day it was found")


def _check_source(session: Session, source: dict | None) -> tuple[str | None, str | None]:
    if not source:
        return None, None
    if describe_reference(session, source["type"], str(source["id"])) is None:
        raise DomainError("source", "no such record in this township's enabled modules")
    return source["type"], str(source["id"])


def _campaign(session: Session, campaign_id: uuid.UUID | None) -> Campaign | None:
    """The campaign a finding belongs to; unknown or foreign ids are field errors."""
    if campaign_id is None:
        return None
    campaign = session.scalar(select(Campaign).where(Campaign.id == campaign_id))
    if campaign is None:
        raise DomainError("campaign_id", "no such campaign in this township")
    if campaign.archived_at is not None:
        raise DomainError("campaign_id", "archived campaigns cannot change", 409)
    return campaign


def raise_finding(session: Session, *, unit_id: uuid.UUID, severity: str, description: str,
                  campaign_id: uuid.UUID | None = None, found_on: dt.date | None = None,
                  evidence: str = "", root_cause: str = "", source: dict | None = None,
                  plan: str = "", owner: str = "", deadline: dt.date | None = None) -> Finding:
    """Raise a finding in a campaign or from elsewhere (e.g. citing an analysis)."""
    campaign = _campaign(session, campaign_id)
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
        raise DomainError("id", "archived findings cannot change", 409)
    if finding.verified_at is not None and set(changes) & {*PLAN_FIELDS, "found_on"}:
        raise DomainError("deadline", "the rectification is already verified", 409)
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
        raise DomainError("id", "nothing left to rectify", 409)
    if finding.deadline is None:
        raise DomainError("deadline", "set a rectification plan with a deadline first", 409)
    finding.rectified_on = rectified_on or today()
    finding.rectification_evidence = evidence
    _sync(session, finding)
    return finding


def verify(session: Session, finding: Finding, *, accepted: bool, note: str,
           actor: Actor | None, at: dt.datetime | None = None) -> Finding:
    """The office accepts the rectification (fulfilling the obligation) or sends it back."""
    if finding.archived_at is not None or finding.verified_at is not None:
        raise DomainError("id", "already verified", 409)
    if finding.rectified_on is None:
        raise DomainError("id", "no rectification reported yet", 409)
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
        raise DomainError("id", "verify the rectification first", 409)
    checked_on = checked_on or today()
    if checked_on < finding.verified_at.astimezone(tenant_zone()).date():
        raise DomainError("checked_on", "after the verification")
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


def _sources(session: Session, cited: set[tuple[str, str]],
             obligations: dict[str, dict]) -> dict[tuple[str, str], dict | None]:
    """What each cited record is now. Cited obligations come from the page's one obligation
    statement; a record of another module is asked through its ``describe_reference``
    hook, once per distinct record (the hook describes one record at a time)."""
    return {(kind, ref): obligations.get(_text_id(ref) or "") if kind == "obligation"
            else describe_reference(session, kind, ref) for kind, ref in cited}


def _text_id(ref: str) -> str | None:
    """An obligation id as ``describe_obligations`` keys it, or None if it is no UUID."""
    try:
        return str(uuid.UUID(ref))
    except ValueError:
        return None


def shown_findings(session: Session, rows: list[Finding]) -> list[Shown]:
    """Findings with their status, their rectification obligation (id, status, due_at) and
    the record they cite, for a page at once: every obligation among them, rectifications
    and cited ones alike, is described by one statement."""
    cited = {(f.source_type, f.source_id) for f in rows if f.source_type is not None}
    obligations = describe_obligations(session, [
        *(f.obligation_id for f in rows if f.obligation_id is not None),
        *(_text_id(ref) for kind, ref in cited if kind == "obligation" and _text_id(ref))])
    sources = _sources(session, cited, obligations)
    on = today()
    return [Shown(f, status=status_of(f, on), source=_source(f, sources),
                  rectification_obligation=obligation_brief(
                      obligations.get(str(f.obligation_id)) if f.obligation_id else None))
            for f in rows]


def _source(finding: Finding, sources: dict[tuple[str, str], dict | None]) -> dict | None:
    if finding.source_type is None:
        return None
    found = sources[finding.source_type, finding.source_id]
    return {"type": finding.source_type, "id": finding.source_id,
            "title": found.get("title") if found else None,
            "status": found.get("status") if found else None}


def shown_finding(session: Session, finding: Finding) -> Shown:
    return shown_findings(session, [finding])[0]


def describe(session: Session, finding_id: str) -> dict | None:
    try:
        finding = session.scalar(select(Finding).where(Finding.id == uuid.UUID(str(finding_id))))
    except ValueError:
        return None
    if finding is None:
        return None
    return {"type": "inspection.finding", "id": str(finding.id),
            "title": finding.description[:80], "status": status_of(finding),
            "unit_id": str(finding.unit_id), "severity": finding.severity,
            "deadline": finding.deadline.isoformat() if finding.deadline else None}
