"""Ratings of units and interviews (約談, I3).

Rating a unit "prominent problems" starts ``inspection.interview`` (15 days by default,
the township's effective deadline); the interview record fulfils it. A rating changed to
something else closes the obligation unless the interview was already held.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    close_event_obligation,
    describe_obligations,
    emit,
    local_noon,
    open_event_obligation,
    sync_evidence,
    today,
    unit_members,
    utcnow,
)
from zerenzhi.plugins.inspection.common import Actor, Shown, obligation_brief, unit_of
from zerenzhi.plugins.inspection.models import Campaign, Interview, Rating
from zerenzhi.plugins.inspection.rules import INTERVIEW, SCOPE_KINDS

SOURCE = "inspection_interview"
TRIGGER = "inspection.rating"
PROMINENT = "prominent_problems"


def get_rating(session: Session, rating_id: uuid.UUID) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.id == rating_id))


def shown_ratings(session: Session, rows: list[Rating]) -> list[Shown]:
    """Ratings with the interview a "prominent problems" one started (id, status, due_at),
    for a page at once: one statement describes every obligation among them (a rating
    changed since keeps its closed obligation's id, which is not asked for)."""
    obligations = describe_obligations(session, [
        r.obligation_id for r in rows if r.rating == PROMINENT and r.obligation_id])
    return [Shown(r, interview_obligation=obligation_brief(obligations.get(str(r.obligation_id))))
            for r in rows]


def shown_rating(session: Session, rating: Rating) -> Shown:
    return shown_ratings(session, [rating])[0]


def _held(session: Session, rating: Rating) -> bool:
    return session.scalar(select(Interview.id).where(
        Interview.rating_id == rating.id, Interview.archived_at.is_(None))) is not None


def rate(session: Session, campaign: Campaign, *, unit_id: uuid.UUID, rating: str,
         rated_on: dt.date | None = None, note: str = "",
         at: dt.datetime | None = None) -> Rating:
    """Rate a village or station in the campaign (one rating per unit; rating again
    replaces it)."""
    if campaign.archived_at is not None:
        raise DomainError("campaign_id", "archived campaigns cannot change", 409)
    unit = unit_of(session, unit_id, SCOPE_KINDS)
    rated_on = rated_on or today()
    row = session.scalar(select(Rating).where(Rating.campaign_id == campaign.id,
                                              Rating.unit_id == unit.id))
    if row is None:
        row = Rating(campaign_id=campaign.id, unit_id=unit.id, rating=rating, rated_on=rated_on)
        session.add(row)
    row.rating, row.rated_on, row.note, row.archived_at = rating, rated_on, note, None
    session.flush()
    triggered = at or (utcnow() if rated_on == today() else local_noon(rated_on))
    if rating == PROMINENT:
        obligation = open_event_obligation(session, INTERVIEW.key, unit.id, TRIGGER, row.id,
                                           triggered)
        if obligation is not None:  # re-opened if rated so again after a change of mind
            row.obligation_id = obligation.id
        emit(session, "inspection.unit_rated_prominent_problems", rating_id=str(row.id),
             unit_id=str(unit.id))
    elif row.obligation_id is not None and not _held(session, row):
        _close(session, row)
    session.flush()
    return row


def _close(session: Session, rating: Rating) -> None:
    close_event_obligation(session, INTERVIEW.key, rating.unit_id, TRIGGER, rating.id)


def archive_rating(session: Session, rating: Rating) -> Rating:
    if rating.archived_at is None:
        rating.archived_at = utcnow()
        if rating.obligation_id is not None and not _held(session, rating):
            _close(session, rating)
        session.flush()
    return rating


def head_of(session: Session, unit_id: uuid.UUID) -> str | None:
    """The unit's head now (the post, resolved to its holder): the default interviewee."""
    return next((name for _id, name, role in unit_members(session, unit_id)
                 if role == "unit_head"), None)


def _sync(session: Session, interview: Interview, rating: Rating) -> None:
    session.flush()
    evidence = []
    if interview.archived_at is None and rating.obligation_id is not None:
        evidence.append(Evidence(INTERVIEW.key, interview.unit_id,
                                 local_noon(interview.held_on), rating.obligation_id))
    sync_evidence(session, SOURCE, interview.id, evidence)


def record_interview(session: Session, *, rating_id: uuid.UUID, held_on: dt.date,
                     content: str, held_by: str | None = None, actor: Actor | None = None,
                     interviewee: str | None = None, commitments: str = "") -> Interview:
    """Record the interview with the head of a unit rated "prominent problems" (I3); held
    by ``actor`` (the caller) unless ``held_by`` names someone else."""
    held_by_member_id = None
    if not held_by and actor is not None:
        held_by, held_by_member_id = actor.name, actor.member_id
    rating = get_rating(session, rating_id)
    if rating is None or rating.archived_at is not None:
        raise DomainError("rating_id", "no such rating in this township")
    if rating.rating != PROMINENT:
        raise DomainError("rating_id", "interviews follow a 'prominent problems' rating")
    if held_on < rating.rated_on:
        raise DomainError("held_on", "on or after the rating")
    interviewee = interviewee or head_of(session, rating.unit_id)
    if not interviewee:
        raise DomainError("interviewee", "name the head interviewed (the unit has none)")
    if not held_by:
        raise DomainError("held_by", "name the committee member who held it")
    interview = Interview(rating_id=rating.id, unit_id=rating.unit_id, held_on=held_on,
                          held_by=held_by, held_by_member_id=held_by_member_id,
                          interviewee=interviewee, content=content, commitments=commitments)
    session.add(interview)
    _sync(session, interview, rating)
    emit(session, "inspection.interview_recorded", interview_id=str(interview.id),
         unit_id=str(rating.unit_id))
    return interview


def archive_interview(session: Session, interview: Interview) -> Interview:
    if interview.archived_at is None:
        interview.archived_at = utcnow()
        _sync(session, interview, get_rating(session, interview.rating_id))
    return interview
