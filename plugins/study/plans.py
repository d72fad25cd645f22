"""Study plans per unit and year, and their progress against the rules (W2, W3)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import DomainError, emit, live_unit, obligation_summary, parse_period, today, utcnow
from zerenzhi.plugins.study.models import StudyMeeting, StudyPlan
from zerenzhi.plugins.study.rules import RULES


def _items(items: list[dict], year: int) -> list[dict]:
    for index, item in enumerate(items):
        if item["planned_on"].year != year:
            raise DomainError(f"items.{index}.planned_on", f"not in the plan's year {year}")
    ordered = sorted(items, key=lambda i: i["planned_on"])
    return [{**item, "planned_on": item["planned_on"].isoformat()} for item in ordered]


def _one_live_plan(session: Session, unit_id: uuid.UUID, year: int,
                   other_than: uuid.UUID | None = None) -> None:
    statement = select(StudyPlan.id).where(StudyPlan.unit_id == unit_id, StudyPlan.year == year,
                                           StudyPlan.archived_at.is_(None))
    if other_than is not None:
        statement = statement.where(StudyPlan.id != other_than)
    if session.scalar(statement) is not None:
        raise DomainError("year", "this unit already has a plan for that year", 409)


def create_plan(session: Session, data: dict) -> StudyPlan:
    unit = live_unit(session, data["unit_id"])
    _one_live_plan(session, unit.id, data["year"])
    plan = StudyPlan(unit_id=unit.id, year=data["year"], title=data["title"],
                     items=_items(data.get("items") or [], data["year"]))
    session.add(plan)
    session.flush()
    emit(session, "study.plan_created", plan_id=str(plan.id), unit_id=str(unit.id))
    return plan


def update_plan(session: Session, plan: StudyPlan, changes: dict) -> StudyPlan:
    if plan.archived_at is not None:
        raise DomainError("id", "an archived plan cannot change", 409)
    year = changes.get("year", plan.year)
    if year != plan.year:
        _one_live_plan(session, plan.unit_id, year, other_than=plan.id)
    if "items" in changes or year != plan.year:
        items = changes.get("items")
        if items is None:
            items = [{**i, "planned_on": dt.date.fromisoformat(i["planned_on"])}
                     for i in plan.items]
        plan.items = _items(items, year)
    plan.year = year
    if "title" in changes:
        plan.title = changes["title"]
    session.flush()
    return plan


def archive_plan(session: Session, plan: StudyPlan) -> StudyPlan:
    if plan.archived_at is None:
        plan.archived_at = utcnow()
        session.flush()
    return plan


def progress(session: Session, plan: StudyPlan, settings: dict) -> dict[str, Any]:
    """Planned against held, item by item (a meeting of the planned kind in the planned
    month, each used once), and the unit's study obligations for the year as judged now."""
    as_of = today()
    held = session.execute(
        select(StudyMeeting.held_on, StudyMeeting.kind, StudyMeeting.ideology).where(
            StudyMeeting.unit_id == plan.unit_id, StudyMeeting.archived_at.is_(None),
            StudyMeeting.held_on.between(dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 31)))
        .order_by(StudyMeeting.held_on)
    ).all()
    pool: dict[tuple[int, str], int] = defaultdict(int)
    counts = {"centralised": 0, "special_study": 0, "training": 0, "ideology": 0}
    for held_on, kind, ideology in held:
        pool[(held_on.month, kind)] += 1
        counts[kind] += 1
        counts["ideology"] += bool(ideology)
    items = []
    for item in plan.items:
        planned_on = dt.date.fromisoformat(item["planned_on"])
        key = (planned_on.month, item["kind"])
        if pool[key] > 0:
            pool[key] -= 1
            status = "held"
        else:
            status = "missed" if planned_on < as_of.replace(day=1) else (
                "due" if planned_on <= as_of else "upcoming")
        items.append({**item, "status": status})
    summary = obligation_summary(session, parse_period(str(plan.year)))
    keys = {rule.key for rule in RULES}
    obligations = [
        {key: item[key] for key in ("rule", "title", "source", "required", "done", "status")}
        for item in summary["items"] if item["rule"] in keys and item["unit_id"] == plan.unit_id
    ]
    return {
        "plan_id": plan.id, "unit_id": plan.unit_id, "year": plan.year, "as_of": as_of,
        "planned": len(items),
        "planned_to_date": sum(1 for i in items if i["status"] != "upcoming"),
        "held_as_planned": sum(1 for i in items if i["status"] == "held"),
        "held": counts, "items": items, "obligations": obligations,
        "targets": {"special_studies_per_year": settings["special_studies_per_year"],
                    "theory_studies_per_year": settings["theory_studies_per_year"],
                    "ideology_studies_per_year": settings["ideology_studies_per_year"]},
    }
