"""Accountability cases (K): open, cite evidence, investigate, propose, refer, record the
outcome, close.

The text's procedure is "視情節輕重，報請區紀委追究責任": the township records the
circumstances and proposes a severity and sanctions (``decide``), refers the case to the
district discipline commission (``refer``) and records the commission's decision as the
outcome (``record_outcome``); a case closes only with that outcome on record, or with a
note saying why no referral or outcome was needed. Each step is a person's act recorded in
one transaction (the ORM audits the write; the routes audit reads). Sanctions are checked
against the text's table: a severity's own, combined with lighter ones if wished, never a
heavier one's (decision 0020). Evidence from other modules is validated through
``core.describe_reference`` — this module imports no other plugin. No Flask here; callers
commit (``writing()``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from zerenzhi import (
    DomainError,
    Label,
    audit_event,
    describe_reference,
    emit,
    listed,
    live_unit,
    render,
    today,
    township_members,
    utcnow,
)
from zerenzhi.plugins.accountability.catalogue import (
    ALLOWED,
    CADRE_CIRCUMSTANCES,
    LEADING_POSTS,
    SANCTIONS,
    SEVERITIES,
    combinable,
    disallowed,
    of_severity,
)
from zerenzhi.plugins.accountability.models import Case, CaseLink

EARLIEST = dt.date(2000, 1, 1)
EDITABLE = ("title", "subject_kind", "subject_unit_id", "subject_member_id", "subject_name",
            "subject_post", "circumstances", "facts")
CASE_LABEL = Label("問責案件", "Accountability case")
READ = "accountability.case.read"  # the permission, and the audit action of every read
TARGET = "accountability_case"


def _day(value: dt.date | None, field: str, not_before: dt.date | None = None,
         what: str = "2000-01-01") -> dt.date:
    value = value or today()
    if value > today():
        raise DomainError(field, "cannot be in the future")
    if value < (not_before or EARLIEST):
        raise DomainError(field, f"cannot be before {what}")
    return value


def _subject(session: Session, data: dict) -> dict:
    """A leadership group of a unit, or a named leading cadre (a member holding a post
    here, named after them unless a name is given, or by name alone). K10–K12 are about
    黨員領導幹部 themselves: a case citing them names the cadre as a member holding a
    leading post, not only a group or a name."""
    live_unit(session, data["subject_unit_id"], field="subject_unit_id")
    member_id = data.get("subject_member_id")
    member = None
    if member_id is not None:
        member = township_members(session, [member_id]).get(member_id)
        if member is None or not member.roles:
            raise DomainError("subject_member_id", "not a member holding a post in this township")
        data = {**data, "subject_name": data.get("subject_name") or member.display_name}
    if data["subject_kind"] == "leading_cadre" and not (data.get("subject_name") or "").strip():
        raise DomainError("subject_name", "a leading cadre is named (or given as a member)")
    cadre = [code for code in CADRE_CIRCUMSTANCES if code in (data.get("circumstances") or ())]
    if cadre:
        cited = "、".join(cadre)
        if data["subject_kind"] != "leading_cadre":
            raise DomainError("subject_kind", f"{cited} concern a party-member leading cadre: "
                                              "the subject is a leading_cadre, not a group")
        if member is None:
            raise DomainError("subject_member_id", f"{cited} concern a party-member leading "
                                                   "cadre: name them as a member")
        if not set(member.roles) & set(LEADING_POSTS):
            raise DomainError("subject_member_id", f"{cited} concern a party-member leading "
                                                   "cadre: this member holds no leading post")
    return data


def _cite(session: Session, case: Case, ref: dict, field: str = "ref_id") -> CaseLink:
    described = describe_reference(session, ref["type"], str(ref["id"]))
    if described is None:
        raise DomainError(field, f"no {ref['type']} with this id here "
                                 "(or its module is not enabled)")
    clash = session.scalar(select(CaseLink.id).where(
        CaseLink.case_id == case.id, CaseLink.ref_type == ref["type"],
        CaseLink.ref_id == str(ref["id"]), CaseLink.archived_at.is_(None)))
    if clash is not None:
        raise DomainError(field, "this case already cites that record", 409)
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
    links = [_cite(session, case, ref, f"evidence.{index}.id")
             for index, ref in enumerate(data.get("evidence") or [])]
    session.flush()
    set_committed_value(case, "links", links)  # what it cites, known: no query to show it
    emit(session, "accountability.case_opened", case_id=str(case.id))
    return case


def page_of_cases(session: Session, query: dict, page: Any) -> list[Case]:
    """One page of cases, newest first, each with its evidence (``Case.links`` loads for
    the whole page in one statement). ``page`` is the route's pagination parameters; the
    read is audited with the ids it showed."""
    statement = listed(Case, query, match=("status", "subject_unit_id"))
    page.item_count = session.scalar(select(func.count()).select_from(statement.subquery()))
    cases = list(session.scalars(statement.order_by(Case.opened_on.desc(), Case.id.desc())
                                 .limit(page.page_size).offset(page.first_item)))
    audit_event(session, READ, TARGET, None,
                after={"listed": [str(case.id) for case in cases], "page": page.page})
    return cases


def read_case(session: Session, case: Case) -> Case:
    """One case, its read audited: who read which case is on record, as for writes."""
    audit_event(session, READ, TARGET, case.id)
    return case


def _state(case: Case, *allowed: str) -> None:
    if case.archived_at is not None:
        raise DomainError("id", "an archived case cannot change", 409)
    if case.status not in allowed:
        raise DomainError("status", f"not possible while the case is {case.status}", 409)


def update_case(session: Session, case: Case, changes: dict) -> Case:
    """Correct subject, circumstances or facts until a decision is made."""
    _state(case, "opened", "investigating")
    merged = _subject(session, {k: changes.get(k, getattr(case, k)) for k in EDITABLE})
    for key in EDITABLE:
        setattr(case, key, merged[key])
    session.flush()
    emit(session, "accountability.case_changed", case_id=str(case.id))
    return case


OPEN = ("opened", "investigating", "decided", "referred", "outcome_recorded")


def cite(session: Session, case: Case, ref: dict) -> CaseLink:
    _state(case, *OPEN)
    link = _cite(session, case, ref)
    session.flush()
    return link


def uncite(session: Session, case: Case, link: CaseLink) -> None:
    _state(case, *OPEN)
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


def _sanctions(severity: str | None, sanctions: list[str], field: str = "sanctions") -> None:
    """The table's rule: a severity's own sanctions, singly or combined, with lighter ones
    if wished but never a heavier one's, and at least one of its own (decision 0020)."""
    if severity is None:
        return
    wrong = disallowed(severity, sanctions)
    if wrong:
        names = "、".join(render(SANCTIONS[s]) for s in wrong)
        allowed = "、".join(render(SANCTIONS[s]) for s in combinable(severity))
        raise DomainError(field, f"{names}: not a sanction for "
                                 f"{render(SEVERITIES[severity])} (allowed: {allowed})")
    if not of_severity(severity, sanctions):
        own = "、".join(render(SANCTIONS[s]) for s in ALLOWED[severity])
        raise DomainError(field, f"{render(SEVERITIES[severity])} applies at least one of "
                                 f"its own sanctions ({own})")


def decide(session: Session, case: Case, data: dict) -> Case:
    """Record the township's proposal (視情節輕重): a severity and the sanctions it asks the
    commission for — one or several, combined with lighter ones if wished; anything else is
    refused and nothing is written."""
    _state(case, "investigating")
    severity, sanctions = data["severity"], data["sanctions"]
    _sanctions(severity, sanctions)
    case.decided_on = _day(data.get("decided_on"), "decided_on",
                           case.investigation_started_on, "the investigation started")
    case.severity, case.sanctions = severity, list(sanctions)
    case.decision_reasoning = data["reasoning"].strip()
    case.status = "decided"
    session.flush()
    emit(session, "accountability.case_decided", case_id=str(case.id), severity=severity)
    return case


def refer(session: Session, case: Case, data: dict, settings: dict) -> Case:
    """Refer the case with its proposal to the district discipline commission (報請區紀委):
    the date, the body and the referral's reference."""
    _state(case, "decided")
    case.referred_on = _day(data.get("referred_on"), "referred_on", case.decided_on,
                            "the decision")
    case.referred_to = (data.get("referred_to") or settings["referral_body"]).strip()
    case.referral_reference = data.get("reference")
    case.status = "referred"
    session.flush()
    emit(session, "accountability.case_referred", case_id=str(case.id))
    return case


def record_outcome(session: Session, case: Case, data: dict) -> Case:
    """Record the commission's decision on a referred case (追究責任): what it decided in
    words, and its severity and sanctions under the same table — or neither, when it held
    no one responsible."""
    _state(case, "referred")
    severity, sanctions = data.get("severity"), list(data.get("sanctions") or [])
    if severity is None and sanctions:
        raise DomainError("severity", "sanctions are applied under a severity")
    if severity is not None and not sanctions:
        raise DomainError("sanctions", "a severity applies one or more sanctions")
    _sanctions(severity, sanctions)
    case.outcome_on = _day(data.get("decided_on"), "decided_on", case.referred_on,
                           "the referral")
    case.outcome_severity, case.outcome_sanctions = severity, sanctions
    case.outcome_summary = data["summary"].strip()
    case.outcome_reference = data.get("reference")
    case.status = "outcome_recorded"
    session.flush()
    emit(session, "accountability.case_outcome_recorded", case_id=str(case.id),
         severity=severity)
    return case


def close(session: Session, case: Case, data: dict) -> Case:
    """Close a case. With the commission's outcome on record it simply closes; a referred
    case awaits that outcome (409); one closed before any referral — no responsibility
    found, or the proposal not pursued — says why none was needed (``note``)."""
    _state(case, "investigating", "decided", "referred", "outcome_recorded")
    if case.status == "referred":
        raise DomainError("status", "a referred case closes once the commission's outcome "
                                    "is recorded (POST .../outcome)", 409)
    note = (data.get("note") or "").strip()
    if case.status != "outcome_recorded" and not note:
        raise DomainError("note", "a case closed without a referral and its outcome says "
                                  "why none was needed")
    last = (case.outcome_on or case.referred_on or case.decided_on
            or case.investigation_started_on)
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
