"""Demo records for a demo township (``zerenzhi tenants apply`` on ``demo = true``).

Relative to today: last half-year's analysis is complete and approved (its obligation
fulfilled); this half-year's is still missing two domains (shown as such, not approved);
contributions on time, late and overdue; sensitive dates with a fulfilled, an overdue and
an upcoming forward-looking analysis; one ad-hoc analysis. Skipped when rows exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from zerenzhi import committee, local_noon, period_of, today, unit_members, units_of_kind
from zerenzhi.plugins.analysis import calendar, services
from zerenzhi.plugins.analysis.common import Actor
from zerenzhi.plugins.analysis.models import Analysis, SensitiveDate
from zerenzhi.plugins.analysis.rules import DOMAIN_KEYS

TEXTS = {
    "theory": ("黨員幹部理論學習熱情較高，主流積極向上", "個別黨員學用脫節",
               "理論學習形式較單一", "推行「學習強國」積分排名與專題黨課相結合"),
    "news_opinion": ("鎮村宣傳陣地正面宣傳有力", "少數信息轉載把關不嚴",
                     "村級信息員隊伍不穩定", "落實信息發布三審制度"),
    "culture_arts": ("文化下鄉活動豐富，羣眾參與度高", "個別演出內容格調不高",
                     "農村文化陣地使用率不均衡", "加強演出節目事前審核"),
    "social_opinion": ("羣眾對鄉村振興政策認同度高", "征地補償存在個別議論",
                       "信訪熱點問題回應不及時", "建立熱點問題定期研判和回應機制"),
    "ideas_morality": ("好人好事不斷湧現，鄉風文明持續向好", "婚喪大操大辦仍有發生",
                       "移風易俗工作推進不平衡", "發揮紅白理事會作用"),
    "online_opinion": ("網絡空間總體清朗", "個別微信羣傳播不實信息",
                       "村級微信羣管理責任不清", "落實羣主責任，建立網評員隊伍"),
}


def _sections(domains) -> list[dict]:
    return [dict(zip(("mainstream", "minor_currents", "prominent_problems",
                      "proposed_measures"), TEXTS[d], strict=True), domain=d) for d in domains]


def _deputy(session: Any) -> tuple[Any, str]:
    found = [(m, name) for m, name, role in unit_members(session, committee(session).id)
             if role == "deputy"]
    return found[0] if found else (None, "分管領導")


def load(session: Any, settings: dict) -> None:
    if session.scalar(select(Analysis.id).limit(1)) is not None or session.scalar(
            select(SensitiveDate.id).limit(1)) is not None:
        return
    now = today()
    deputy_id, deputy_name = _deputy(session)
    previous = period_of("half_year", period_of("half_year", now).start - dt.timedelta(days=1))
    complete = services.create_analysis(
        session, kind="half_year", title=f"{previous.label}意識形態領域情況分析研判",
        held_on=previous.end - dt.timedelta(days=10), sections=_sections(DOMAIN_KEYS),
        summary="全鎮意識形態領域總體平穩，主流積極健康。", settings=settings)
    services.approve(session, complete, Actor(deputy_id, deputy_name, frozenset({"deputy"})),
                     at=local_noon(previous.end - dt.timedelta(days=8)), settings=settings)

    current = period_of("half_year", now)
    held = max(current.start, now - dt.timedelta(days=7))
    incomplete = services.create_analysis(
        session, kind="half_year", title=f"{current.label}意識形態領域情況分析研判（初稿）",
        held_on=held, sections=_sections(DOMAIN_KEYS[:4]), settings=settings)
    units = {u.code: u for u in units_of_kind(session)}
    asks = [("village-1", -10, -12), ("village-3", -6, -2), ("station-1", -3, None),
            ("office", 5, None)]
    for code, due, submitted in asks:
        if code not in units:
            continue
        contribution = calendar.assign(session, incomplete, unit_id=units[code].id,
                                       due_on=now + dt.timedelta(days=due),
                                       request="提供本單位意識形態領域情況", settings=settings)
        if submitted is not None:
            calendar.submit(session, contribution, content="本單位意識形態領域總體穩定。",
                            actor=None, at=local_noon(now + dt.timedelta(days=submitted)))

    past = calendar.create_sensitive_date(
        session, falls_on=now - dt.timedelta(days=30), title="重要紀念日",
        description="紀念活動前後網上輿論引導")
    services.create_analysis(session, kind="forward_looking", title="重要紀念日前瞻性研判",
                             held_on=now - dt.timedelta(days=40), sensitive_date_id=past.id,
                             settings=settings)
    calendar.create_sensitive_date(session, falls_on=now + dt.timedelta(days=5),
                                   title="重大會議召開期間", description="會議期間維穩與輿情")
    calendar.create_sensitive_date(session, falls_on=now + dt.timedelta(days=25),
                                   kind="hot_topic", title="農產品價格波動輿情熱點")
    services.create_analysis(session, kind="ad_hoc", title="返鄉青年思想動態專項研判",
                             subject="返鄉創業青年", held_on=now - dt.timedelta(days=15),
                             settings=settings)
    session.flush()
