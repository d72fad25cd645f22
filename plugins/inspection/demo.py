"""Demo records for a demo township (``zerenzhi tenants apply`` on ``demo = true``).

Relative to today: a finished campaign over every village and station (self-inspections
all submitted, key, written and on-site checks), findings in every state — one
rectification past its deadline, one verified and effective, one awaiting verification,
one in progress — ratings with one unit rated "prominent problems" whose interview is due
soon, and hence per-unit scores. Skipped when rows exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from zerenzhi import local_noon, today, unit_members, units_of_kind
from zerenzhi.plugins.inspection import findings, ratings, services
from zerenzhi.plugins.inspection.common import Actor
from zerenzhi.plugins.inspection.models import Campaign, Finding
from zerenzhi.plugins.inspection.rules import SCOPE_KINDS

NO = {"village-4": ("platforms_managed", "incidents_reported", "rectification_done"),
      "village-2": ("theory_study",), "station-1": ("anti_cult",)}
RATED = {"village-4": "prominent_problems", "village-2": "adequate", "station-1": "adequate"}
CHECKS = [("village-2", "key"), ("station-2", "key"), ("village-4", "on_site"),
          ("village-3", "written")]
FINDINGS = [  # unit, severity, description, cause, plan, found, deadline, state
    ("village-4", "severe", "村微信公眾號轉載未經審核的不實信息", "信息發布審核制度未落實",
     "建立信息發布三審制度並開展專題培訓", -40, -5, "open"),
    ("village-2", "serious", "支部集中學習記錄不全，上半年學習次數不足", "學習計劃執行不嚴",
     "補課並完善學習臺賬", -40, -25, "effective"),
    ("station-1", "minor", "文化站宣傳欄內容長期未更新", "專人管理缺位",
     "明確專人每月更新", -38, 15, "reported"),
    ("village-5", "serious", "社區文藝演出未事先報黨委批准", "對審批要求認識不足",
     "補辦報批並建立活動報批臺賬", -35, 5, "open"),
]


def _office_actor(session: Any, office_id) -> Actor:
    found = [(m, name) for m, name, role in unit_members(session, office_id) if role == "office"]
    return Actor(*found[0]) if found else Actor(None, "辦公室")


def load(session: Any, settings: dict) -> None:
    if session.scalar(select(Campaign.id).limit(1)) is not None or session.scalar(
            select(Finding.id).limit(1)) is not None:
        return
    offices = units_of_kind(session, "office")
    scope = {u.code: u for u in units_of_kind(session, *SCOPE_KINDS)}
    if not offices or not scope:
        return
    now = today()

    def day(offset: int) -> dt.date:
        return now + dt.timedelta(days=offset)

    campaign = services.create_campaign(
        session, title="意識形態工作責任制落實情況專題督查", started_on=day(-50),
        ended_on=day(-20), unit_id=offices[0].id,
        plan="全面自查與重點檢查相結合，書面督查與現場督查相結合")
    items = [item["key"] for item in settings["checklist"]]
    for code, unit in scope.items():
        answers = {key: "no" if key in NO.get(code, ()) else "yes" for key in items}
        services.record_check(session, campaign, unit_id=unit.id, method="self",
                              checked_on=day(-43), answers=answers, submit=True,
                              at=local_noon(day(-43)), settings=settings)
    for code, method in CHECKS:
        if code in scope:
            services.record_check(session, campaign, unit_id=scope[code].id, method=method,
                                  checked_on=day(-35), inspectors="張秀英、陳光輝",
                                  at=local_noon(day(-35)), settings=settings)
    actor = _office_actor(session, offices[0].id)
    for code, severity, text, cause, plan, found, deadline, state in FINDINGS:
        if code not in scope:
            continue
        finding = findings.raise_finding(
            session, campaign_id=campaign.id, unit_id=scope[code].id, severity=severity,
            description=text, found_on=day(found), evidence="現場檢查記錄及照片",
            root_cause=cause, plan=plan, owner=f"{scope[code].name}負責人",
            deadline=day(deadline))
        if state in ("reported", "effective"):
            findings.rectify(session, finding, evidence="整改報告及佐證材料",
                             rectified_on=day(deadline - 3 if state == "effective" else -2))
        if state == "effective":
            findings.verify(session, finding, accepted=True, note="整改到位",
                            actor=actor, at=local_noon(day(deadline - 1)))
            findings.check_effectiveness(session, finding, effective=True,
                                         note="回訪檢查，制度運行良好", checked_on=day(-3))
    for code, unit in scope.items():
        ratings.rate(session, campaign, unit_id=unit.id, rating=RATED.get(code, "good"),
                     rated_on=day(-6), note="依據自查和重點檢查結果評定")
    session.flush()
