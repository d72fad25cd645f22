"""Accountability cases (K): open, cite evidence, investigate, decide, refer, close.

Each step is a person's act recorded in one transaction (the ORM audits the write; the
routes audit reads). Decisions are checked against the seed's table: every sanction must
be allowed for the chosen severity; several may be combined. Evidence from other modules
is validated through ``core.describe_reference`` — this module imports no other plugin.
No Flask here; callers commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    Label,
    OrgUnit,
    describe_reference,
    emit,
    local_today,
    render,
    require_tenant,
    unit_members,
    units_of_kind,
    utcnow,
)
from zerenzhi.plugins.accountability.catalogue import ALLOWED, SANCTIONS, SEVERITIES, disallowed
from zerenzhi.plugins.accountability.models import Case, CaseLink

EARLIEST = dt.date(2000, 1, 1)
EDITABLE = ("title", "subject_kind", "subject_unit_id", "subject_member_id", "subject_name",
            "subject_post", "circumstances", "facts")
CASE_LABEL = Label("問責案件", "Accountability case")


class CaseError(ValueError):
    """Input that parsed but does not fit: 422 on ``field``, 409 for the wrong state."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def today() -> dt.date:
    return local_today(require_tenant().timezone)


def _day(value: dt.date | None, field: str, not_before: dt.date | None = None,
         what: str = "2000-01-01") -> dt.date:
    value = value or today()
    if value > today():
        raise CaseError(field, "cannot be in the future")
    if value < (not_before or EARLIEST):
        raise CaseError(field, f"cannot be before {what}")
    return value


def _unit(session: Session, unit_id: uuid.UUID) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.id == unit_id,
                                                OrgUnit.archived_at.is_(None)))
    if unit is None:  # scoped: a foreign unit is as unknown as a made-up one
        raise CaseError("subject_unit_id", "no such unit in this township")
    return unit


def member_name(session: Session, member_id: uuid.UUID) -> str:
    """The display name of a member holding a post here (422 otherwise).

    GAP: the core face has no member lookup, so this asks ``unit_members`` unit by unit.
    """
    for unit in units_of_kind(session):
        for found, name, _role in unit_members(session, unit.id):
            if found == member_id:
                return name
    raise CaseError("subject_member_id", "not a member holding a post in this township")


def _subject(session: Session, data: dict) -> dict:
    """A leadership group of a unit, or a named leading cadre (a member, or by name)."""
    _unit(session, data["subject_unit_id"])
    if data.get("subject_member_id") is not None and not data.get("subject_name"):
        data = {**data, "subject_name": member_name(session, data["subject_member_id"])}
    elif data.get("subject_member_id") is not None:
        member_name(session, data["subject_member_id"])
    if data["subject_kind"] == "leading_cadre" and not (data.get("subject_name") or "").strip():
        raise CaseError("subject_name", "a leading cadre is named (or given as a member)")
    return data


def _cite(session: Session, case: Case, ref: dict) -> CaseLink:
    described = describe_reference(session, ref["type"], str(ref["id"]))
    if described is None:
        raise CaseError("ref_id", f"no {ref['type']} with this id here "
                                  "(or its module is not enabled)")
    clash = session.scalar(select(CaseLink.id).where(
        CaseLink.case_id == case.id, CaseLink.ref_type == ref["type"],
        CaseLink.ref_id == str(ref["id"]), CaseLink.archived_at.is_(None)))
    if clash is not None:
        raise CaseError("ref_id", "this case already cites that record", 409)
    link = CaseLink(case_id=case.id, ref_type=ref["type"], ref_id=str(ref["id"]),
                    title=str(described.get("title") or ref["id"])[:300],
                    status=None if described.get("status") is None
                    else str(described["status"])[:40], note=ref.get("note"))
    session.add(link)
    return link


def open_case(session: Session, data: dict) -> Case:
    """Open a case a leader decided to open, with the evidence it cites (if any)."""
    data = _subject(session, data)
    opened_on = _day(data.get("opened_on"), "opened_on")
    case = Case(status="opened", opened_on=opened_on, **{k: data.get(k) for k in EDITABLE})
    session.add(case)
    session.flush()
    for index, ref in enumerate(data.get("evidence") or []):
        try:
            _cite(session, case, ref)
        except CaseError as error:
            raise CaseError(f"evidence.{index}.{error.field.replace('ref_', '')}",
                            error.message, error.status) from error
    session.flush()
    emit(session, "accountability.case_opened", case_id=str(case.id))
    return case


def _state(case: Case, *allowed: str) -> None:
    if case.archived_at is not None:
        raise CaseError("id", "an archived case cannot change", 409)
    if case.status not in allowed:
        raise CaseError("status", f"not possible while the case is {case.status}", 409)


def update_case(session: Session, case: Case, changes: dict) -> Case:
    """Correct subject, circumstances or facts until a decision is made."""
    _state(case, "opened", "investigating")
    merged = _subject(session, {k: changes.get(k, getattr(case, k)) for k in EDITABLE})
    for key in EDITABLE:
        setattr(case, key, merged[key])
    session.flush()
    emit(session, "accountability.case_changed", case_id=str(case.id))
    return case


def cite(session: Session, case: Case, ref: dict) -> CaseLink:
    _state(case, "opened", "investigating", "decided", "referred")
    link = _cite(session, case, ref)
    session.flush()
    return link


def uncite(session: Session, case: Case, link: CaseLink) -> None:
    _state(case, "opened", "investigating", "decided", "referred")
    if link.archived_at is None:
        link.archived_at = utcnow()
        session.flush()


def investigate(session: Session, case: Case, data: dict) -> Case:
    _state(case, "opened")
    case.investigation_started_on = _day(data.get("started_on"), "started_on",
                                         case.opened_on, "the case was opened")
    case.investigation_note = data.get("note")
    case.status = "investigating"
    session.flush()
    return case


def decide(session: Session, case: Case, data: dict) -> Case:
    """Record the decision: a severity and one or more sanctions it allows (combined is
    fine; one outside the severity's set is refused and nothing is written)."""
    _state(case, "investigating")
    severity, sanctions = data["severity"], data["sanctions"]
    wrong = disallowed(severity, sanctions)
    if wrong:
        names = "、".join(render(SANCTIONS[s]) for s in wrong)
        allowed = "、".join(render(SANCTIONS[s]) for s in ALLOWED[severity])
        raise CaseError("sanctions", f"{names}: not a sanction for {render(SEVERITIES[severity])}"
                                     f" (allowed: {allowed})")
    case.decided_on = _day(data.get("decided_on"), "decided_on",
                           case.investigation_started_on, "the investigation started")
    case.severity, case.sanctions = severity, list(sanctions)
    case.decision_reasoning = data["reasoning"].strip()
    case.status = "decided"
    session.flush()
    emit(session, "accountability.case_decided", case_id=str(case.id), severity=severity)
    return case


def refer(session: Session, case: Case, data: dict, settings: dict) -> Case:
    """Refer a decided case to the district discipline commission (報請區紀委)."""
    _state(case, "decided")
    case.referred_on = _day(data.get("referred_on"), "referred_on", case.decided_on,
                            "the decision")
    case.referred_to = (data.get("referred_to") or settings["referral_body"]).strip()
    case.referral_reference = data.get("reference")
    case.status = "referred"
    session.flush()
    emit(session, "accountability.case_referred", case_id=str(case.id))
    return case


def close(session: Session, case: Case, data: dict) -> Case:
    """Close a case; one closed without a decision says why (e.g. no responsibility)."""
    _state(case, "investigating", "decided", "referred")
    note = (data.get("note") or "").strip()
    if case.status == "investigating" and not note:
        raise CaseError("note", "a case closed without a decision says why")
    last = case.referred_on or case.decided_on or case.investigation_started_on
    case.closed_on = _day(data.get("closed_on"), "closed_on", last, "its last step")
    case.closing_note = note or None
    case.status = "closed"
    session.flush()
    emit(session, "accountability.case_closed", case_id=str(case.id))
    return case


def archive(session: Session, case: Case) -> Case:
    """Archive a case opened in error; a decided case is part of the record and stays."""
    if case.archived_at is None:
        _state(case, "opened", "investigating")
        case.archived_at = utcnow()
        session.flush()
    return case


def describe(session: Session, ref_id: str) -> dict[str, Any] | None:
    """For core references: a neutral title and the status — no subject, no facts, so a
    case cited elsewhere reveals nothing to readers without accountability.case.read."""
    try:
        case = session.scalar(select(Case).where(Case.id == uuid.UUID(str(ref_id))))
    except ValueError:
        return None
    if case is None:
        return None
    return {"type": "accountability.case", "id": str(case.id),
            "title": f"{render(CASE_LABEL)} {case.opened_on.isoformat()}",
            "status": "archived" if case.archived_at else case.status}
