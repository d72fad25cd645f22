"""W6 domain logic, free of Flask: "whoever organises is responsible, whoever approves
supervises". Each function validates, changes one application inside the caller's
transaction, keeps the fulfilment ledger in step and emits an event; the caller commits.

Submitting an application opens ``approvals.prior_approval`` for the committee with the
activity's planned start as its deadline. Only an approval decided *before* the start,
together with a filing record, counts as its evidence (dated by the later of the two); an
approval on or after the start is kept and flagged ``approved_late`` and never counts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zerenzhi import (
    LEADERS,
    DomainError,
    Evidence,
    committee,
    emit,
    listed,
    live_unit,
    open_event_obligation,
    sync_evidence,
    township_members,
    utcnow,
)
from zerenzhi.plugins.approvals.models import Application
from zerenzhi.plugins.approvals.rules import KINDS, PRIOR_APPROVAL, STATUSES

SOURCE_TYPE = "approvals_application"  # how the ledger names these records
TRIGGER_TYPE = "approvals.application"  # how the obligation names its trigger
REF_TYPE = "approvals.application"  # how references from other modules name it
DETAIL_FIELDS = ("kind", "organiser_unit_id", "responsible_person", "title", "starts_at",
                 "ends_at", "venue", "summary", "expected_participants")
FLAGGED = {"late": Application.approved_late, "short_notice": Application.short_notice}


def applications(query: dict[str, Any]) -> Select:
    """The list's select: by planned start, newest first; ``flag`` keeps the flagged ones."""
    statement = listed(Application, query, match=("status", "kind", "organiser_unit_id"),
                       order_by=(Application.starts_at.desc(), Application.id))
    if "flag" in query:
        statement = statement.where(FLAGGED[query["flag"]].is_(True))
    return statement


def _check_details(values: dict[str, Any]) -> None:
    if values["kind"] not in KINDS:
        raise DomainError("kind", f"one of {', '.join(KINDS)}")
    if values["ends_at"] < values["starts_at"]:
        raise DomainError("ends_at", "an activity cannot end before it starts")


def _not_in_future(field: str, moment: dt.datetime, now: dt.datetime) -> None:
    if moment > now:
        raise DomainError(field, "cannot be in the future: record what has happened")


def _live(application: Application) -> None:
    if application.archived_at is not None:
        raise DomainError("id", "archived applications cannot change", 409)


def create_application(session: Session, **details: Any) -> Application:
    """A draft application; nothing is due until it is submitted."""
    live_unit(session, details["organiser_unit_id"], field="organiser_unit_id")
    _check_details(details)
    application = Application(**details, status="draft")
    session.add(application)
    session.flush()
    return application


def update_application(session: Session, application: Application,
                       changes: dict[str, Any]) -> Application:
    """Change a draft's details. Once submitted, the details are what the committee saw."""
    _live(application)
    if application.status != "draft":
        raise DomainError("status", "only a draft can change; cancel and apply again", 409)
    if "organiser_unit_id" in changes:
        live_unit(session, changes["organiser_unit_id"], field="organiser_unit_id")
    _check_details({field: changes.get(field, getattr(application, field))
                    for field in DETAIL_FIELDS})
    for field, value in changes.items():
        setattr(application, field, value)
    session.flush()
    return application


def submit(session: Session, application: Application, *, min_notice_days: int,
           now: dt.datetime | None = None) -> Application:
    """Submit to the committee: W6's deadline (the planned start) starts now."""
    _live(application)
    if application.status != "draft":
        raise DomainError("status", f"already {application.status}", 409)
    now = now or utcnow()
    application.status, application.submitted_at = "submitted", now
    application.short_notice = application.starts_at - now < dt.timedelta(days=min_notice_days)
    obligation = open_event_obligation(
        session, PRIOR_APPROVAL.key, committee(session).id, TRIGGER_TYPE, application.id,
        now, due_at=application.starts_at)
    application.obligation_id = obligation.id if obligation is not None else None
    session.flush()
    emit(session, "approvals.application_submitted", application_id=str(application.id),
         starts_at=application.starts_at.isoformat(), short_notice=application.short_notice)
    return application


def _check_decider(session: Session, member_id: uuid.UUID) -> None:
    """A live member posted now at the committee as its secretary or a deputy (M1, M2)."""
    found = township_members(session, [member_id], unit_id=committee(session).id)
    if member_id not in found or not set(found[member_id].roles) & set(LEADERS):
        raise DomainError("decided_by", "must be the committee's secretary or a deputy "
                                        "currently in post")


def decide(session: Session, application: Application, *, decision: str,
           decided_by: uuid.UUID, decided_at: dt.datetime | None = None,
           conditions: str | None = None, now: dt.datetime | None = None) -> Application:
    """The committee approves or rejects; an approval on or after the start is flagged."""
    _live(application)
    if application.status != "submitted":
        raise DomainError("status", f"only a submitted application is decided "
                                    f"(this one is {application.status})", 409)
    if decision not in ("approved", "rejected"):
        raise DomainError("decision", "approved or rejected")
    now = now or utcnow()
    decided_at = decided_at or now
    _not_in_future("decided_at", decided_at, now)
    if decided_at < application.submitted_at:
        raise DomainError("decided_at", "a decision cannot precede the submission")
    _check_decider(session, decided_by)
    application.decision, application.status = decision, decision
    application.decided_at, application.decided_by = decided_at, decided_by
    application.conditions = conditions
    application.approved_late = decision == "approved" and decided_at >= application.starts_at
    sync_ledger(session, application)
    emit(session, "approvals.application_decided", application_id=str(application.id),
         decision=decision, approved_late=application.approved_late)
    return application


def file_with_higher_level(session: Session, application: Application, *, reference: str,
                           filed_with: str, filed_at: dt.datetime | None = None,
                           now: dt.datetime | None = None) -> Application:
    """Record (or correct) the filing of an approved activity with the higher level."""
    _live(application)
    if application.decision != "approved" or application.status == "cancelled":
        raise DomainError("status", "only an approved activity is filed", 409)
    now = now or utcnow()
    filed_at = filed_at or now
    _not_in_future("filed_at", filed_at, now)
    if filed_at < application.decided_at:
        raise DomainError("filed_at", "an activity is filed after it was approved")
    application.filed_at, application.filing_reference = filed_at, reference
    application.filed_with = filed_with
    if application.status == "approved":
        application.status = "filed"
    sync_ledger(session, application)
    emit(session, "approvals.application_filed", application_id=str(application.id))
    return application


HELD_FROM = ("approved", "filed")
CANCELLED_FROM = ("draft", "submitted", "approved", "filed")


def record_outcome(session: Session, application: Application, *, outcome: str,
                   note: str | None = None, now: dt.datetime | None = None) -> Application:
    """The activity was held, or called off. Neither changes what W6's evidence says."""
    _live(application)
    now = now or utcnow()
    if outcome == "held":
        if application.status not in HELD_FROM:
            raise DomainError("status", "only an approved activity is held", 409)
        if application.starts_at > now:
            raise DomainError("outcome", "the activity has not started yet")
    elif outcome == "cancelled":
        if application.status not in CANCELLED_FROM:
            raise DomainError("status", f"a {application.status} activity cannot be "
                                        "cancelled", 409)
    else:
        raise DomainError("outcome", "held or cancelled")
    application.status, application.outcome_at, application.outcome_note = outcome, now, note
    session.flush()
    emit(session, f"approvals.application_{outcome}", application_id=str(application.id))
    return application


def archive(session: Session, application: Application,
            now: dt.datetime | None = None) -> Application:
    """Archive (never delete): it stops counting as evidence."""
    if application.archived_at is None:
        application.archived_at = now or utcnow()
        sync_ledger(session, application)
    return application


def counts_for_prior_approval(application: Application) -> bool:
    """W6 is met by an approval before the start plus a filing record, nothing less."""
    return (application.archived_at is None and application.obligation_id is not None
            and application.decision == "approved" and not application.approved_late
            and application.filed_at is not None)


def sync_ledger(session: Session, application: Application) -> None:
    """Tell the ledger what this application counts for now (called on every change)."""
    evidence = []
    if counts_for_prior_approval(application):
        evidence.append(Evidence(PRIOR_APPROVAL.key, committee(session).id,
                                 max(application.decided_at, application.filed_at),
                                 obligation_id=application.obligation_id))
    sync_evidence(session, SOURCE_TYPE, application.id, evidence)


def describe(session: Session, ref_id: str) -> dict[str, Any] | None:
    """An application as a link target (an accountability case citing K8, say)."""
    try:
        application_id = uuid.UUID(str(ref_id))
    except ValueError:
        return None
    application = session.scalar(select(Application).where(Application.id == application_id))
    if application is None:
        return None
    return {"type": REF_TYPE, "id": str(application.id), "title": application.title,
            "status": application.status, "status_label": STATUSES[application.status].zh,
            "approved_late": application.approved_late}
