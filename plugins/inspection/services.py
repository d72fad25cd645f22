"""Campaigns and checks (I1, I2): coverage of every village and station, and the ledger.

A campaign counts toward ``inspection.half_year`` for its office only while it combines
what I2 names: "全面自查與重點檢查相結合，書面督查與現場督查相結合" — every active village
and station has submitted its self-inspection (全面自查), and the office has made at least
one key check (重點檢查), one written and one on-site check. It counts for the half-year it
covers (``period``), on the day it was completed, so a late campaign shows as late. Every
write that can change this re-states the evidence.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    DomainError,
    Evidence,
    OrgUnit,
    emit,
    local_noon,
    obligation_summary,
    parse_period,
    period_of,
    plugin_settings,
    require_tenant,
    sync_evidence,
    tenant_zone,
    today,
    units_of_kind,
    utcnow,
)
from zerenzhi.plugins.inspection.common import Shown, unit_of
from zerenzhi.plugins.inspection.models import Campaign, Check
from zerenzhi.plugins.inspection.rules import ANSWERS, HALF_YEAR, OFFICE_METHODS, SCOPE_KINDS

SOURCE = "inspection_campaign"


def _writable(campaign: Campaign) -> None:
    if campaign.archived_at is not None:
        raise DomainError("id", "archived campaigns cannot change", 409)


def coverages(session: Session, campaigns: list[Campaign]) -> dict[uuid.UUID, dict[str, Any]]:
    """What each campaign has combined so far (I1, I2): two statements for any number of
    campaigns (the scope, and the campaigns' live checks).

    A village or station is covered by its own self-inspection on the local day it was
    submitted, not before; the office's checks (key, written, on-site) count on their
    day, whichever unit they reached."""
    if not campaigns:
        return {}
    scope = units_of_kind(session, *SCOPE_KINDS)
    zone = tenant_zone()
    reached: dict[uuid.UUID, dict[uuid.UUID, dt.date]] = {c.id: {} for c in campaigns}
    used: dict[uuid.UUID, dict[str, dt.date]] = {c.id: {} for c in campaigns}
    for campaign_id, unit_id, method, checked_on, submitted_at in session.execute(
            select(Check.campaign_id, Check.unit_id, Check.method, Check.checked_on,
                   Check.submitted_at)
            .where(Check.campaign_id.in_(reached), Check.archived_at.is_(None))):
        if method == "self":
            if submitted_at is None:
                continue
            _earliest(reached[campaign_id], unit_id, submitted_at.astimezone(zone).date())
        else:
            _earliest(used[campaign_id], method, checked_on)
    return {campaign_id: _coverage(scope, reached[campaign_id], used[campaign_id])
            for campaign_id in reached}


def _earliest(first: dict, key: Any, day: dt.date) -> None:
    if key not in first or day < first[key]:
        first[key] = day


def _coverage(scope: list[OrgUnit], reached: dict[uuid.UUID, dt.date],
              used: dict[str, dt.date]) -> dict[str, Any]:
    missing = [u for u in scope if u.id not in reached]
    methods_missing = [m for m in OFFICE_METHODS if m not in used]
    complete = bool(scope) and not missing and not methods_missing
    return {
        "units": len(scope), "covered": len(scope) - len(missing),
        "complete": complete,
        "not_covered": [{"unit_id": u.id, "code": u.code, "name": u.name, "kind": u.kind}
                        for u in missing],
        "methods_missing": methods_missing,
        "completed_on": max([*(reached[u.id] for u in scope), *used.values()])
        if complete else None,
    }


def coverage(session: Session, campaign: Campaign) -> dict[str, Any]:
    return coverages(session, [campaign])[campaign.id]


def shown_campaigns(session: Session, campaigns: list[Campaign]) -> list[Shown]:
    """Campaigns with their coverage and whether they count, for a page at once."""
    states = coverages(session, campaigns)
    return [Shown(c, coverage=states[c.id],
                  counts=c.archived_at is None and states[c.id]["complete"])
            for c in campaigns]


def shown_campaign(session: Session, campaign: Campaign) -> Shown:
    return shown_campaigns(session, [campaign])[0]


def sync_campaign(session: Session, campaign: Campaign) -> dict[str, Any]:
    """The campaign counts for the half-year it covers once it combines every method of
    I2 (I1): attributed to that half-year (``counts_on``), dated when the last method was
    met, so an H1 campaign completed on 10 July fulfils H1 late, never on time, nor H2."""
    session.flush()
    state = coverage(session, campaign)
    evidence = []
    if campaign.archived_at is None and state["complete"]:
        period, done = parse_period(campaign.period), state["completed_on"]
        evidence.append(Evidence(HALF_YEAR.key, campaign.unit_id, local_noon(done),
                                 counts_on=min(max(done, period.start), period.end)))
    sync_evidence(session, SOURCE, campaign.id, evidence)
    return state


def covered_half_year(started_on: dt.date, period: str | None) -> str:
    """The half-year a campaign covers (I1: 每半年): ``period`` if given, else the one of
    ``started_on``; never one that had not begun when it started, nor one ending before the
    township went live (nothing is owed for it)."""
    own = period_of("half_year", started_on)
    if period is None or period == own.label:
        return own.label
    covered = parse_period(period)
    if covered.start > own.start:
        raise DomainError("period", f"{period} had not begun on started_on ({started_on})")
    live_from = require_tenant().live_from
    if live_from is not None and covered.end < live_from:
        raise DomainError("period", f"{period} ended before the township went live on "
                                    f"{live_from.isoformat()}; nothing is owed for it")
    return covered.label


def create_campaign(session: Session, *, title: str, started_on: dt.date,
                    period: str | None = None, unit_id: uuid.UUID | None = None,
                    ended_on: dt.date | None = None, plan: str = "") -> Campaign:
    if unit_id is None:
        offices = units_of_kind(session, "office")
        if not offices:
            raise DomainError("unit_id", "this township has no office unit")
        unit_id = offices[0].id
    office = unit_of(session, unit_id, ("office",))
    if ended_on is not None and ended_on < started_on:
        raise DomainError("ended_on", "ends on or after its start")
    campaign = Campaign(unit_id=office.id, title=title, started_on=started_on, ended_on=ended_on,
                        period=covered_half_year(started_on, period), plan=plan)
    session.add(campaign)
    sync_campaign(session, campaign)
    emit(session, "inspection.campaign_started", campaign_id=str(campaign.id))
    return campaign


def update_campaign(session: Session, campaign: Campaign, changes: dict) -> Campaign:
    """Edit; a period that was the half-year of started_on follows a new started_on, one
    set apart from it stays (and must still be valid for the new date)."""
    _writable(campaign)
    if "unit_id" in changes:
        unit_of(session, changes["unit_id"], ("office",))
    follows = campaign.period == period_of("half_year", campaign.started_on).label
    period = changes.pop("period", None) or (None if follows else campaign.period)
    period = covered_half_year(changes.get("started_on", campaign.started_on), period)
    for key, value in changes.items():
        setattr(campaign, key, value)
    if campaign.ended_on is not None and campaign.ended_on < campaign.started_on:
        raise DomainError("ended_on", "ends on or after its start")
    campaign.period = period
    sync_campaign(session, campaign)
    return campaign


def archive_campaign(session: Session, campaign: Campaign) -> Campaign:
    if campaign.archived_at is None:
        campaign.archived_at = utcnow()
        sync_campaign(session, campaign)
    return campaign


# --- checks (I2) ---------------------------------------------------------------------------


def checklist(settings: dict | None = None) -> list[dict]:
    return list((settings or plugin_settings("inspection"))["checklist"])


def _answers(answers: dict, items: list[dict], complete: bool) -> dict:
    keys = [item["key"] for item in items]
    unknown = sorted(set(answers) - set(keys))
    if unknown:
        raise DomainError("answers", "not checklist items: " + ", ".join(unknown))
    bad = sorted(k for k, v in answers.items() if v not in ANSWERS)
    if bad:
        raise DomainError("answers", f"answer {'/'.join(ANSWERS)}: " + ", ".join(bad))
    missing = [k for k in keys if k not in answers]
    if complete and missing:
        raise DomainError("answers", "unanswered: " + ", ".join(missing))
    return dict(answers)


def record_check(session: Session, campaign: Campaign, *, unit_id: uuid.UUID, method: str,
                 checked_on: dt.date | None = None, inspectors: str = "", notes: str = "",
                 answers: dict | None = None, submit: bool = False,
                 at: dt.datetime | None = None, settings: dict | None = None) -> Check:
    """Record a check of a village or station. A self-inspection is the unit's own
    checklist; it covers the unit once submitted (now, with ``submit``, or later)."""
    _writable(campaign)
    unit = unit_of(session, unit_id, SCOPE_KINDS)
    if method != "self" and answers:
        raise DomainError("answers", "only self-inspections answer the checklist")
    answers = _answers(answers or {}, checklist(settings), complete=submit)
    check = Check(campaign_id=campaign.id, unit_id=unit.id, method=method,
                  checked_on=checked_on or today(), inspectors=inspectors, notes=notes,
                  answers=answers)
    if method != "self" or submit:
        check.submitted_at = at or utcnow()
    session.add(check)
    sync_campaign(session, campaign)
    emit(session, "inspection.check_recorded", check_id=str(check.id), method=method,
         unit_id=str(unit.id))
    return check


def submit_self_inspection(session: Session, campaign: Campaign, check: Check,
                           answers: dict | None = None, at: dt.datetime | None = None,
                           settings: dict | None = None) -> Check:
    _writable(campaign)
    if check.archived_at is not None or check.method != "self":
        raise DomainError("id", "only a draft self-inspection is submitted", 409)
    if check.submitted_at is not None:
        raise DomainError("id", "already submitted", 409)
    merged = {**check.answers, **(answers or {})}
    check.answers = _answers(merged, checklist(settings), complete=True)
    check.submitted_at = at or utcnow()
    sync_campaign(session, campaign)
    return check


def archive_check(session: Session, campaign: Campaign, check: Check) -> Check:
    if check.archived_at is None:
        check.archived_at = utcnow()
        sync_campaign(session, campaign)
    return check


def prefill(session: Session, campaign: Campaign, unit_id: uuid.UUID) -> list[dict]:
    """The checklist for a unit, each item linked to a rule pre-answered from the unit's
    obligation status in the campaign's half-year (fulfilled → yes, overdue → no)."""
    unit = unit_of(session, unit_id, SCOPE_KINDS)
    summary = obligation_summary(session, parse_period(campaign.period))
    status = {(i["rule"]): i["status"] for i in summary["items"] if i["unit_id"] == unit.id}
    result = []
    for item in checklist():
        found = status.get(item.get("rule"))
        suggested = {"fulfilled": "yes", "waived": "na", "overdue": "no"}.get(found or "")
        result.append({**item, "obligation_status": found, "suggested": suggested})
    return result
