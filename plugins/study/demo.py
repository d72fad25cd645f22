"""Demo records for a township (``zerenzhi tenants apply`` on a ``demo = true`` file): a
year of study up to today, in which some branches keep up and some fall behind (W2, W3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from zerenzhi import today, unit_members, units_of_kind
from zerenzhi.plugins.study import plans, services
from zerenzhi.plugins.study.models import StudyMeeting

TOPICS = (
    "學習習近平新時代中國特色社會主義思想", "學習黨的二十屆三中全會精神",
    "學習《中國共產黨紀律處分條例》", "學習《中國共產黨章程》", "學習全國兩會精神",
    "學習意識形態工作責任制實施辦法", "網絡意識形態安全專題學習", "學習總體國家安全觀",
    "學習《中國共產黨農村基層組織工作條例》", "黨史學習教育", "學習鄉村振興戰略",
    "學習習近平文化思想",
)
IDEOLOGY_TOPICS = ("意識形態工作責任制專題學習", "網絡意識形態安全與輿情應對")
SPECIAL_TITLE = "專題研究本支部意識形態重點工作和責任制"
# Months each branch held its centralised study, those on ideology, its special studies.
PROFILES = (
    (range(1, 13), (3, 9), (4, 10)),             # keeps up
    ((1, 3, 5, 7, 9), (5,), (6,)),               # behind on everything
    ((1, 3, 4, 5, 6, 7, 9, 10, 11, 12), (6,), (5, 11)),  # skipped February and August
    (range(1, 13), (), (9,)),                    # regular, but never on ideology
)


def _day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, 28))


def _meeting(unit: Any, day: dt.date, kind: str, title: str, ideology: bool,
             members: list, absent: bool) -> dict:
    people = {member_id: name for member_id, name, _role in members}  # one per person
    attendance = [{"member_id": member_id, "present": not absent,
                   "absence_reason": "外出參加縣委黨校培訓" if absent else None}
                  for member_id in people]
    return {
        "unit_id": unit.id, "held_on": day, "start_time": dt.time(9, 0) if kind != "special_study"
        else dt.time(14, 30), "kind": kind, "title": title, "ideology": ideology,
        "topics": [title, "意識形態工作責任制"] if ideology else [title],
        "presenter": members[0][1] if members else None,
        "materials": [{"title": title.removeprefix("學習"), "url": "http://www.qstheory.cn/"}],
        "minutes": f"{unit.name}組織黨員{title}，與會同志結合實際交流發言。",
        "attendance": attendance,
    }


def fill(session: Any, settings: dict) -> None:
    """Skip when the township already has study records (apply runs on every start)."""
    if session.scalar(select(StudyMeeting.id).limit(1)) is not None:
        return
    as_of = today()
    year = as_of.year
    rows: list[dict] = []
    # the committee's 專題研究 is the reporting module's meeting (W2 with R1, decision 0019)
    for index, unit in enumerate(units_of_kind(session, "branch")):
        months, ideology, special = PROFILES[index % len(PROFILES)]
        members = unit_members(session, unit.id)
        for month in months:
            on_ideology = month in ideology
            title = IDEOLOGY_TOPICS[month % 2] if on_ideology else TOPICS[month - 1]
            rows.append(_meeting(unit, _day(year, month, 10 + index), "centralised", title,
                                 on_ideology, members, absent=index == 1 and month == 5))
        for month in special:
            rows.append(_meeting(unit, _day(year, month, 22), "special_study", SPECIAL_TITLE,
                                 True, members, False))
        plans.create_plan(session, {
            "unit_id": unit.id, "year": year, "title": f"{unit.name}{year}年度理論學習計劃",
            "items": [{"planned_on": _day(year, m, 10), "topic": TOPICS[m - 1],
                       "kind": "centralised", "ideology": m in (3, 9)} for m in range(1, 13)]})
    for unit in units_of_kind(session, "station", "village")[:3]:
        rows.append(_meeting(unit, _day(year, 4, 16), "training", "意識形態陣地管理業務培訓",
                             True, unit_members(session, unit.id), False))
    for data in rows:
        if data["held_on"] <= as_of:
            services.record_meeting(session, data, settings)
