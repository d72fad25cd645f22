"""Demo cases for a township (``zerenzhi tenants apply`` with ``demo = true``).

One case decided with a combined sanction and referred to the 區紀委: the head of the
third village, whose broadcast went unreviewed two quarters ago and then carried content
with a wrong orientation (K6, K13). It cites that quarter's overdue review obligation
when the platforms module is enabled (the manifest's ``demo_after`` runs platforms' demo
first; it leaves that quarter unreviewed on purpose). A second case, about a
branch's leadership group, is still under investigation. People are the township's own
members; dates are relative to today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import obligation_summary, period_of, today, unit_members, units_of_kind
from zerenzhi.plugins.accountability import services
from zerenzhi.plugins.accountability.models import Case

REVIEW_RULE = "platforms.register_review"


def _gap_quarter(today: dt.date):
    current = period_of("quarter", today)
    back = period_of("quarter", current.start - dt.timedelta(days=1))
    return period_of("quarter", back.start - dt.timedelta(days=1))


def _overdue_review(session: Session, unit_code: str, today: dt.date) -> list[dict]:
    """The unit's overdue channel-review obligation of the gap quarter, if there is one."""
    summary = obligation_summary(session, _gap_quarter(today))
    return [{"type": "obligation", "id": str(item["id"]),
             "note": "該季度陣地檢查逾期未完成"}
            for item in summary["overdue"]
            if item["rule"] == REVIEW_RULE and item["unit_code"] == unit_code][:1]


def _head(session: Session, unit_id) -> Any:
    """The unit's head posted there (or anyone posted there), as a member id."""
    members = unit_members(session, unit_id)
    heads = [m for m in members if m[2] in ("unit_head", "branch_secretary")] or members
    return heads[0][0] if heads else None


def fill(session: Session, settings: dict[str, Any]) -> None:
    if session.scalar(select(Case.id).limit(1)) is not None:
        return  # already here (demo_data runs on every apply)
    day = today()
    villages = units_of_kind(session, "village")
    if villages:
        village = villages[2] if len(villages) > 2 else villages[-1]
        member_id = _head(session, village.id)
        case = services.open_case(session, {
            "title": f"{village.name}陣地管理失職問責",
            "subject_kind": "leading_cadre", "subject_unit_id": village.id,
            "subject_member_id": member_id, "subject_name": None if member_id else "村委會主任",
            "subject_post": "村委會主任", "circumstances": ["K6", "K13"],
            "facts": "本村村村響廣播上上季度未按規定開展陣地檢查；其後廣播轉播未經審核的"
                     "外來音頻，內容有錯誤導向並在網上傳播，造成不良影響。",
            "opened_on": day - dt.timedelta(days=45),
            "evidence": _overdue_review(session, village.code, day)})
        services.investigate(session, case, {
            "started_on": day - dt.timedelta(days=44),
            "note": "調閱播出記錄、檢查台賬，與當事人談話。"})
        services.decide(session, case, {
            "severity": "minor", "sanctions": ["written_self_criticism", "admonishment_talk"],
            "decided_on": day - dt.timedelta(days=20),
            "reasoning": "情節較輕，本人認識深刻並已整改；責令書面檢查，並由分管領導誡勉談話。"})
        services.refer(session, case, {"referred_on": day - dt.timedelta(days=18),
                                       "reference": f"委報〔{day.year}〕12號"}, settings)
    branches = units_of_kind(session, "branch")
    if branches:
        branch = branches[-1]
        group = services.open_case(session, {
            "title": f"{branch.name}理論學習組織不力問題",
            "subject_kind": "leadership_group", "subject_unit_id": branch.id,
            "subject_name": f"{branch.name}委員會", "circumstances": ["K1"],
            "facts": "上級部署的專題學習宣傳任務，本支部未按要求組織開展。",
            "opened_on": day - dt.timedelta(days=10)})
        services.investigate(session, group, {"started_on": day - dt.timedelta(days=8)})
    session.flush()
