"""Quarterly channel reviews (P1) and what they count for.

``platforms.register_review`` asks for "1 review of each registered platform" a quarter,
but the obligation belongs to the owning *unit*. So the ledger holds one coverage entry
per (unit, quarter), and only when **every channel due that quarter has a live review in
it**: a unit with two channels and one review stays open. The entry is dated when the last
missing channel was reviewed (the first review of each due channel, latest of those).

A channel is due in a quarter when it is not archived, was opened by the quarter's end,
was not closed by then, and is not suspended since before the quarter ended (suspension
is judged by its current spell). The ledger follows the register as it stands *now*:
every change to a unit's channels or reviews re-says each quarter in which the unit has
reviews. A unit that owns no channel due in a quarter owes no review: the rule's
``units`` narrows the obligations to units with a due channel.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    OrgUnit,
    Period,
    emit,
    local_noon,
    parse_period,
    period_of,
    sync_evidence,
    today,
    utcnow,
)
from zerenzhi.plugins.platforms.common import check_date
from zerenzhi.plugins.platforms.models import Channel, Review
from zerenzhi.plugins.platforms.rules import REGISTER_REVIEW

COVERAGE_SOURCE = "platforms.review_coverage"  # source_id "<unit id>:<quarter>"
REVIEW_FIELDS = ("reviewed_on", "update_frequency", "content_checked", "problems_found",
                 "rectification", "rectified_on")


def quarter_of(day: dt.date) -> str:
    return period_of("quarter", day).label


def due_in(channel: Channel, quarter: Period) -> bool:
    """Whether ``channel`` needs a review in ``quarter`` (see the module docstring)."""
    if channel.archived_at is not None or channel.opened_on > quarter.end:
        return False
    if channel.closed_on is not None and channel.closed_on <= quarter.end:
        return False
    return not (channel.status == "suspended" and channel.status_since <= quarter.end)


def coverage(channels: list[Channel], reviews: list[Review], quarter: Period) -> dict:
    """Which of ``channels`` are due in ``quarter``, which have a live review in it, and
    when coverage became complete (None while a due channel is missing)."""
    due = [c for c in channels if due_in(c, quarter)]
    first: dict[uuid.UUID, dt.date] = {}
    for review in reviews:
        if review.archived_at is None and review.quarter == quarter.label:
            seen = first.get(review.channel_id)
            first[review.channel_id] = min(seen, review.reviewed_on) if seen else \
                review.reviewed_on
    live_ids = {c.id for c in channels if c.archived_at is None}
    first = {k: v for k, v in first.items() if k in live_ids}
    missing = [c for c in due if c.id not in first]
    completed_on = None
    if not missing and first:
        completed_on = max(first[c.id] for c in due) if due else min(first.values())
    return {"quarter": quarter.label, "due": due, "reviewed": sorted(first, key=str),
            "missing": missing, "completed_on": completed_on}


def _unit_rows(session: Session, unit_id: uuid.UUID) -> tuple[list[Channel], list[Review]]:
    channels = list(session.scalars(select(Channel).where(Channel.unit_id == unit_id)))
    reviews = list(session.scalars(select(Review).where(Review.unit_id == unit_id)))
    return channels, reviews


def resync_unit(session: Session, unit_id: uuid.UUID, also: set[str] | None = None) -> None:
    """Re-say the unit's coverage entry for every quarter it has (or had) reviews in."""
    session.flush()
    channels, reviews = _unit_rows(session, unit_id)
    for label in sorted({r.quarter for r in reviews} | (also or set())):
        result = coverage(channels, reviews, parse_period(label))
        evidence = []
        if result["completed_on"] is not None:  # a review dated by day counts at its noon
            evidence.append(Evidence(REGISTER_REVIEW.key, unit_id,
                                     local_noon(result["completed_on"])))
        sync_evidence(session, COVERAGE_SOURCE, f"{unit_id}:{label}", evidence)


def unit_coverage(session: Session, unit_id: uuid.UUID, quarter: Period) -> dict:
    channels, reviews = _unit_rows(session, unit_id)
    return coverage(channels, reviews, quarter)


def _check(channel: Channel, data: dict) -> None:
    check_date(data.get("reviewed_on"), "reviewed_on", not_before=channel.opened_on,
               what="the channel was opened")
    if channel.closed_on is not None and data.get("reviewed_on") and \
            data["reviewed_on"] > channel.closed_on:
        raise DomainError("reviewed_on", "after the channel was closed")
    check_date(data.get("rectified_on"), "rectified_on", not_before=data.get("reviewed_on")
               or channel.opened_on, what="the review")
    if data.get("rectified_on") and not (data.get("rectification") or "").strip():
        raise DomainError("rectification", "a rectification date needs what was rectified")
    if (data.get("rectification") or "").strip() and not (data.get("problems_found")
                                                         or "").strip():
        raise DomainError("problems_found", "a rectification needs the problems it fixes")


def _no_second(session: Session, channel_id: uuid.UUID, quarter: str,
               own: uuid.UUID | None) -> None:
    clash = session.scalar(select(Review.id).where(
        Review.channel_id == channel_id, Review.quarter == quarter,
        Review.archived_at.is_(None), Review.id != (own or uuid.UUID(int=0))))
    if clash is not None:
        raise DomainError("reviewed_on", f"this channel already has a review in {quarter}; "
                                         "change that one", 409)


def record_review(session: Session, channel: Channel, data: dict) -> Review:
    """Record a quarter's review of ``channel`` (active or suspended, not closed later
    than the date); the unit's coverage for that quarter is re-said."""
    if channel.archived_at is not None:
        raise DomainError("channel_id", "an archived channel cannot be reviewed", 409)
    data = {**data, "reviewed_on": data.get("reviewed_on") or today()}
    _check(channel, data)
    quarter = quarter_of(data["reviewed_on"])
    _no_second(session, channel.id, quarter, None)
    review = Review(channel_id=channel.id, unit_id=channel.unit_id, quarter=quarter,
                    **{k: data.get(k) for k in REVIEW_FIELDS})
    session.add(review)
    session.flush()
    resync_unit(session, channel.unit_id)
    emit(session, "platforms.review_recorded", review_id=str(review.id),
         channel_id=str(channel.id), quarter=quarter)
    return review


def update_review(session: Session, review: Review, changes: dict) -> Review:
    """Change a review; a new date may move it to another quarter (the ledger follows)."""
    if review.archived_at is not None:
        raise DomainError("id", "an archived review cannot change", 409)
    channel = session.scalar(select(Channel).where(Channel.id == review.channel_id))
    merged = {k: changes.get(k, getattr(review, k)) for k in REVIEW_FIELDS}
    _check(channel, merged)
    quarter, before = quarter_of(merged["reviewed_on"]), review.quarter
    _no_second(session, channel.id, quarter, review.id)
    for key in REVIEW_FIELDS:
        setattr(review, key, merged[key])
    review.quarter = quarter
    session.flush()
    resync_unit(session, review.unit_id, also={before})
    emit(session, "platforms.review_changed", review_id=str(review.id), quarter=quarter)
    return review


def archive_review(session: Session, review: Review) -> Review:
    if review.archived_at is None:
        review.archived_at = utcnow()
        session.flush()
        resync_unit(session, review.unit_id)
        emit(session, "platforms.review_archived", review_id=str(review.id))
    return review


def township_coverage(session: Session, label: str | None = None,
                      unit_id: uuid.UUID | None = None) -> dict:
    """Per unit owning channels: the coverage of the quarter ``label`` (default: this one),
    in three statements whatever the township's size."""
    quarter = parse_period(label) if label else period_of("quarter", today())
    channels = select(Channel).where(Channel.archived_at.is_(None))
    reviews = select(Review).where(Review.quarter == quarter.label)
    if unit_id is not None:
        channels = channels.where(Channel.unit_id == unit_id)
        reviews = reviews.where(Review.unit_id == unit_id)
    by_unit: dict[uuid.UUID, tuple[list[Channel], list[Review]]] = {}
    for channel in session.scalars(channels):
        by_unit.setdefault(channel.unit_id, ([], []))[0].append(channel)
    for review in session.scalars(reviews):
        by_unit.setdefault(review.unit_id, ([], []))[1].append(review)
    units = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(by_unit)))}
    result = []
    for owner, (owned, done) in by_unit.items():
        row = coverage(owned, done, quarter)
        if not row["due"] and not row["reviewed"]:
            continue
        unit = units[owner]
        result.append({"unit_id": owner, "unit_code": unit.code, "unit_name": unit.name,
                       "due": [c.id for c in row["due"]], "reviewed": row["reviewed"],
                       "missing": [c.id for c in row["missing"]],
                       "complete": row["completed_on"] is not None,
                       "completed_on": row["completed_on"]})
    return {"quarter": quarter.label, "units": sorted(result, key=lambda r: r["unit_code"])}
