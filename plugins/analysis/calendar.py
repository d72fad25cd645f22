"""Sensitive dates and hot topics (A3) and contributions from departments and units (A1).

Each sensitive date starts ``analysis.sensitive_date`` for the committee: the rule's
deadline is relative to the date (−168 h = 7 days before by default), so the obligation is
opened with the date's local midnight as its trigger and core applies the township's
effective deadline. Moving the date moves the deadline; archiving it closes the
obligation. A hot topic (輿情熱點) has no date to look ahead to: its analysis is due
``hot_topic_hours`` (a setting, 48 by default) after it was recorded (A3).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    EventObligation,
    close_event_obligation,
    committee,
    describe_obligations,
    emit,
    get_member,
    listed,
    live_unit,
    open_event_obligation,
    plugin_settings,
    reschedule_event_obligation,
    start_of_day,
    tenant_zone,
    today,
    township_members,
    utcnow,
)
from zerenzhi.plugins.analysis.common import Actor, Shown
from zerenzhi.plugins.analysis.models import Analysis, Contribution, SensitiveDate
from zerenzhi.plugins.analysis.rules import SENSITIVE_DATE
from zerenzhi.plugins.analysis.services import get_analysis, sync_analysis

TRIGGER = "analysis.sensitive_date"
HOT_TOPIC = "hot_topic"


def _obligation(session: Session, date: SensitiveDate, on: dt.date) -> EventObligation | None:
    return open_event_obligation(session, SENSITIVE_DATE.key, date.unit_id, TRIGGER, date.id,
                                 start_of_day(on))


def _hot_topic_obligation(session: Session, date: SensitiveDate,
                          settings: dict | None) -> EventObligation | None:
    """A3: a hot topic's analysis is due a number of hours after the topic is recorded, not
    before a day that has often passed already."""
    hours = (settings or plugin_settings("analysis"))["hot_topic_hours"]
    recorded = utcnow()
    return open_event_obligation(session, SENSITIVE_DATE.key, date.unit_id, TRIGGER, date.id,
                                 recorded, due_at=recorded + dt.timedelta(hours=hours))


def sensitive_dates(query: dict[str, Any]) -> Select:
    """The calendar's select: soonest first, within ``start``..``end`` when given."""
    statement = listed(SensitiveDate, query, order_by=(SensitiveDate.falls_on, SensitiveDate.id))
    if "start" in query:
        statement = statement.where(SensitiveDate.falls_on >= query["start"])
    if "end" in query:
        statement = statement.where(SensitiveDate.falls_on <= query["end"])
    return statement


def show_dates(session: Session, dates: list[SensitiveDate]) -> list[Shown]:
    """The dates as the API shows them: each one's obligation (id, status, due) and the
    live analyses linked to it, for the whole page in two lookups (not two per date)."""
    linked: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if dates:
        for date_id, analysis_id in session.execute(
                select(Analysis.sensitive_date_id, Analysis.id)
                .where(Analysis.sensitive_date_id.in_([date.id for date in dates]),
                       Analysis.archived_at.is_(None))
                .order_by(Analysis.created_at, Analysis.id)):
            linked[date_id].append(analysis_id)
    obligations = describe_obligations(session, [
        date.obligation_id for date in dates
        if date.obligation_id is not None and date.archived_at is None])
    return [Shown(date, obligation=_brief(obligations.get(str(date.obligation_id))),
                  analysis_ids=linked[date.id]) for date in dates]


def show_date(session: Session, date: SensitiveDate) -> Shown:
    return show_dates(session, [date])[0]


def _brief(obligation: dict | None) -> dict | None:
    if obligation is None:
        return None
    return {"id": obligation["id"], "status": obligation["status"],
            "due_at": obligation["due_at"]}


def create_sensitive_date(session: Session, *, falls_on: dt.date, title: str,
                          kind: str = "sensitive_date", description: str = "",
                          settings: dict | None = None) -> SensitiveDate:
    date = SensitiveDate(unit_id=committee(session).id, falls_on=falls_on, title=title,
                         kind=kind, description=description)
    session.add(date)
    session.flush()
    # None when the rule is switched off
    obligation = (_hot_topic_obligation(session, date, settings) if kind == HOT_TOPIC
                  else _obligation(session, date, falls_on))
    date.obligation_id = obligation.id if obligation is not None else None
    session.flush()
    emit(session, "analysis.sensitive_date_recorded", sensitive_date_id=str(date.id),
         falls_on=falls_on.isoformat())
    return date


def _linked(session: Session, date: SensitiveDate) -> list[Analysis]:
    return list(session.scalars(select(Analysis).where(
        Analysis.sensitive_date_id == date.id, Analysis.archived_at.is_(None))))


def owned(date: SensitiveDate) -> None:
    """Townships change their own dates only; inherited ones follow the county."""
    if date.county_date_id is not None:
        raise DomainError("id", "inherited from the county: the county changes it", 409)


def update_sensitive_date(session: Session, date: SensitiveDate, changes: dict) -> SensitiveDate:
    if date.archived_at is not None:
        raise DomainError("id", "archived dates cannot change", 409)
    if changes.get("kind", date.kind) != date.kind:
        raise DomainError("kind", "a hot topic's deadline counts from its recording, a "
                                  "date's before the date (A3): archive it and record anew")
    old = date.falls_on
    for key, value in changes.items():
        setattr(date, key, value)
    if date.falls_on != old and date.obligation_id is not None and date.kind != HOT_TOPIC:
        # keep the deadline's offset from the date (the effective setting)
        obligation = _obligation(session, date, old)
        shift = start_of_day(date.falls_on) - start_of_day(old)
        reschedule_event_obligation(
            session, SENSITIVE_DATE.key, date.unit_id, TRIGGER, date.id,
            (obligation.due_at + shift).astimezone(tenant_zone()),
            triggered_at=start_of_day(date.falls_on))
    session.flush()
    return date


def archive_sensitive_date(session: Session, date: SensitiveDate) -> SensitiveDate:
    """The date is dropped: its obligation closes and linked analyses count for nothing."""
    if date.archived_at is None:
        date.archived_at = utcnow()
        if date.obligation_id is not None:
            close_event_obligation(session, SENSITIVE_DATE.key, date.unit_id, TRIGGER, date.id)
        for analysis in _linked(session, date):
            sync_analysis(session, analysis)
    session.flush()
    return date


# --- contributions (A1) ---------------------------------------------------------------------


def contribution_status(contribution: Contribution, on: dt.date | None = None) -> str:
    """pending → overdue after its due date; submitted or submitted_late once in."""
    on = on or today()
    if contribution.submitted_on is not None:
        return "submitted_late" if contribution.submitted_on > contribution.due_on else "submitted"
    return "overdue" if on > contribution.due_on else "pending"


def contributions(query: dict[str, Any]) -> Select:
    """The contributions' select, by due date; ``status`` and ``late`` are worked out in the
    query from the dates (what ``contribution_status`` says of each row)."""
    statement = listed(Contribution, query, match=("unit_id", "analysis_id"),
                       order_by=(Contribution.due_on, Contribution.id))
    on = today()
    overdue = and_(Contribution.submitted_on.is_(None), Contribution.due_on < on)
    late = Contribution.submitted_on > Contribution.due_on
    conditions = {
        "pending": and_(Contribution.submitted_on.is_(None), Contribution.due_on >= on),
        "overdue": overdue,
        "submitted": Contribution.submitted_on <= Contribution.due_on,
        "submitted_late": late,
    }
    if "status" in query:
        statement = statement.where(conditions[query["status"]])
    if query.get("late") is True:
        statement = statement.where(or_(overdue, late))
    elif query.get("late") is False:
        statement = statement.where(~or_(overdue, late))
    return statement


def _contact(session: Session, unit_id: uuid.UUID, member_id: uuid.UUID | None,
             settings: dict) -> tuple[uuid.UUID | None, str | None]:
    """The person the unit named to supply its information (A1: 指定專人負責): the one the
    request names, else the ``information_contacts`` setting's (skipped if they left)."""
    if member_id is not None:
        return member_id, get_member(session, member_id, field="contact_member_id").display_name
    named = settings.get("information_contacts", {}).get(str(unit_id))
    if named is None:
        return None, None
    found = township_members(session, [uuid.UUID(named)]).get(uuid.UUID(named))
    return (found.id, found.display_name) if found is not None else (None, None)


def assign(session: Session, analysis: Analysis, *, unit_id: uuid.UUID,
           due_on: dt.date | None = None, request: str = "",
           contact_member_id: uuid.UUID | None = None,
           settings: dict | None = None) -> Contribution:
    """Ask a department or unit for its part by a due date (A1: 'on time'), from the
    person it named (A1: 'a named person')."""
    if analysis.archived_at is not None:
        raise DomainError("id", "archived analyses cannot change", 409)
    unit = live_unit(session, unit_id)
    settings = settings or plugin_settings("analysis")
    if due_on is None:
        due_on = today() + dt.timedelta(days=settings["contribution_days"])
    contact_id, contact_name = _contact(session, unit.id, contact_member_id, settings)
    contribution = Contribution(analysis_id=analysis.id, unit_id=unit.id, due_on=due_on,
                                request=request, contact_member_id=contact_id,
                                contact_name=contact_name)
    session.add(contribution)
    session.flush()
    emit(session, "analysis.contribution_requested", contribution_id=str(contribution.id),
         unit_id=str(unit.id), due_on=due_on.isoformat())
    return contribution


def submit(session: Session, contribution: Contribution, *, content: str, actor: Actor | None,
           at: dt.datetime | None = None) -> Contribution:
    """The unit hands in its part; a late one stays visible as ``submitted_late``."""
    if contribution.archived_at is not None:
        raise DomainError("id", "this request was withdrawn", 409)
    if contribution.submitted_at is not None:
        raise DomainError("content", "already submitted", 409)
    analysis = get_analysis(session, contribution.analysis_id)
    if analysis is None or analysis.archived_at is not None:
        raise DomainError("id", "the analysis was archived", 409)
    moment = at or utcnow()
    contribution.content = content
    contribution.submitted_at = moment
    contribution.submitted_on = today(moment)  # the township's local day, for 'late'
    if actor is not None:
        contribution.submitted_by, contribution.submitted_by_name = actor.member_id, actor.name
    session.flush()
    emit(session, "analysis.contribution_submitted", contribution_id=str(contribution.id),
         late=contribution_status(contribution) == "submitted_late")
    return contribution


def archive_contribution(session: Session, contribution: Contribution) -> Contribution:
    if contribution.archived_at is None:
        contribution.archived_at = utcnow()
        session.flush()
    return contribution
