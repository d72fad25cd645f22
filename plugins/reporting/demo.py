"""Demo records for a township: a year of the committee's meetings and reports up to today
(R1–R3), with one situation reported late and a recent one still awaiting its report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from zerenzhi import tenant_zone, today
from zerenzhi.plugins.reporting import services, situations
from zerenzhi.plugins.reporting.models import ReportingMeeting

SECTIONS = [
    {"heading": "意識形態工作責任制落實情況",
     "body": "鎮黨委堅持把意識形態工作納入重要議事日程，班子成員落實「一崗雙責」。"},
    {"heading": "理論學習和陣地建設情況",
     "body": "各黨支部按計劃開展集中學習；加強鎮政府網站、微信公眾號和學習強國平台管理。"},
    {"heading": "存在的問題",
     "body": "個別村黨支部集中學習次數不足，網上輿情研判能力有待提高。"},
    {"heading": "下一步工作打算",
     "body": "督促落後支部補學補課，開展網評員業務培訓，完善輿情應急處置機制。"},
]


def fill(session: Any, settings: dict) -> None:
    """Skip when the township already has reporting records."""
    if session.scalar(select(ReportingMeeting.id).limit(1)) is not None:
        return
    zone, as_of = tenant_zone(), today()
    year = as_of.year

    def past(day: dt.date) -> bool:
        return day <= as_of

    for day, title in ((dt.date(year, 3, 20), "鎮黨委專題研究意識形態工作會議（上半年）"),
                       (dt.date(year, 9, 8), "鎮黨委專題研究意識形態工作會議（下半年）")):
        if past(day):
            services.record_meeting(session, {
                "held_on": day, "start_time": dt.time(15, 0), "title": title,
                "attendees": ["黨委書記", "分管副書記", "黨委委員", "辦公室主任"],
                "agenda": "1. 傳達上級意識形態工作會議精神；2. 分析研判本鎮意識形態形勢；"
                          "3. 部署下一階段工作。",
                "decisions": "責成辦公室督促落後支部補足集中學習；下月開展專題督查。"})
    if past(dt.date(year, 2, 26)):
        services.record_assembly(session, {
            "delivered_on": dt.date(year, 2, 26), "title": f"鎮黨委{year - 1}年度工作報告",
            "sections": [{"heading": "黨的建設", "body": "……", "ideology": False},
                         {"heading": "意識形態工作", "body": "……", "ideology": True}]})
    first = services.create_half_year(session, {"period": f"{year}H1", "sections": SECTIONS},
                                      settings)
    if past(dt.date(year, 7, 10)):
        services.submit_half_year(session, first, {"submitted_on": dt.date(year, 6, 28)})
        services.acknowledge_half_year(session, first, {"acknowledged_on": dt.date(year, 7, 10),
                                                        "note": "已收悉"})
    if as_of.month > 6:
        services.create_half_year(session, {"period": f"{year}H2", "sections": SECTIONS[:2]},
                                  settings)
    for occurred, hours, title in (
        (dt.datetime(year, 4, 12, 9, 30, tzinfo=zone), 10, "某村土地流轉糾紛引發網上不實傳言"),
        (dt.datetime(year, 9, 2, 16, 0, tzinfo=zone), 30, "微信群傳播歪曲黨史的有害信息"),
    ):
        if not past(occurred.date() + dt.timedelta(days=2)):
            continue
        situation = situations.record_situation(session, {
            "occurred_at": occurred, "title": title,
            "description": "鎮黨委接報後立即核實情況，協調有關部門處置。"})
        situations.record_report(session, situation, {
            "reported_at": occurred + dt.timedelta(hours=hours),
            "content": "情況已核實，相關信息已刪除，當事人已批評教育。",
            "proposals": "建議加強網格員信息報送，完善輿情聯動處置機制。"}, settings)
    now = dt.datetime.now(zone)
    situations.record_situation(session, {
        "occurred_at": now - dt.timedelta(days=2), "title": "外地人員在鎮區散發宣傳品",
        "description": "已收繳宣傳品，正在核查來源。"})
