"""Demo records for a township (``zerenzhi tenants apply`` with ``demo = true``): its
real units and members, dates relative to today, through the same services the API uses.

The register: the committee's website and official account (plus an old microblog,
closed and filed), the office's work group, a 學習強國 group per branch, a broadcast per
village (and bulletin boards in two), an account or a bulletin board per station, so
every unit owns a channel. Reviews for this year's quarters, with two deliberate gaps:
the third village skipped its broadcast review two quarters ago (that quarter stays
overdue; the accountability demo cites it), and the first village reviewed only one of
its two channels last quarter. One major incident was handled with its timeline, its
first report to the higher level late (flagged).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import (
    OrgUnit,
    committee,
    period_of,
    require_tenant,
    tenant_zone,
    today,
    unit_members,
    units_of_kind,
    utcnow,
)
from zerenzhi.plugins.platforms import incidents, reviews, services
from zerenzhi.plugins.platforms.models import Channel

HEADS = ("unit_head", "branch_secretary", "office", "secretary")  # who answers, by unit

FREQUENCY = {"website": "weekly", "wechat_official_account": "daily",
             "wechat_work_group": "daily", "xuexi_qiangguo_group": "daily",
             "bulletin_board": "monthly", "village_broadcast": "daily", "other": "irregular"}
CHECKED = {
    "website": "首頁要聞、政務公開欄目及轉載稿件的來源與審核記錄",
    "wechat_official_account": "本季度推送的全部圖文、留言精選及後臺審核記錄",
    "wechat_work_group": "群成員名單、群內轉發信息及群公告",
    "xuexi_qiangguo_group": "學習組成員學習積分、組內推送內容",
    "bulletin_board": "欄內張貼的宣傳材料及更新記錄",
    "village_broadcast": "播出節目單、轉播內容及播前審核登記",
    "other": "發布內容及互動留言",
}


def _quarters_this_year(today: dt.date) -> list:
    quarters, day = [], dt.date(today.year, 1, 1)
    while day <= today:
        quarter = period_of("quarter", day)
        quarters.append(quarter)
        day = quarter.end + dt.timedelta(days=1)
    return quarters


def gap_quarter(today: dt.date):
    """Two quarters before today's: the quarter the third village's review was missed."""
    current = period_of("quarter", today)
    back = current.start - dt.timedelta(days=1)
    return period_of("quarter", period_of("quarter", back).start - dt.timedelta(days=1))


def gap_unit(session: Session) -> OrgUnit | None:
    villages = units_of_kind(session, "village")
    return villages[2] if len(villages) > 2 else (villages[-1] if villages else None)


def _holder(session: Session, unit: OrgUnit, fallback: uuid.UUID) -> uuid.UUID:
    """The unit's head if it has one posted, else anyone posted there, else ``fallback``."""
    members = sorted(unit_members(session, unit.id),
                     key=lambda m: HEADS.index(m[2]) if m[2] in HEADS else len(HEADS))
    return members[0][0] if members else fallback


def _short(name: str) -> str:
    for suffix in ("村委會", "居委會", "黨支部", "黨委"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _register(session: Session, unit: OrgUnit, kind: str, name: str, account: str,
              who: uuid.UUID, opened: dt.date, number: int) -> Channel:
    return services.register_channel(session, {
        "unit_id": unit.id, "kind": kind, "name": name, "account": account,
        "responsible_member_id": who, "opened_on": opened,
        "filing": {"filed_on": opened + dt.timedelta(days=3),
                   "reference": f"網信備〔{opened.year}〕{number}號",
                   "filed_with": "縣委網信辦"}})


def _channels(session: Session, today: dt.date) -> list[Channel]:
    tenant = require_tenant()
    root = committee(session)
    secretary = _holder(session, root, uuid.UUID(int=0))
    town = root.name.removesuffix("黨委")
    opened = dt.date(today.year - 3, 3, 1)
    made: list[Channel] = []
    counter = iter(range(1, 100))

    def add(unit, kind, name, account, when=opened):
        made.append(_register(session, unit, kind, name, account,
                              _holder(session, unit, secretary), when, next(counter)))

    add(root, "website", f"{town}人民政府網站", f"https://www.{tenant.slug}.gov.cn")
    add(root, "wechat_official_account", f"{town}發布", f"gh_{tenant.slug}_fabu")
    for unit in units_of_kind(session, "office"):
        add(unit, "wechat_work_group", f"{town}意識形態工作群", f"{unit.code}-work-group")
    for unit in units_of_kind(session, "branch"):
        add(unit, "xuexi_qiangguo_group", f"{unit.name}學習組", f"xxqg-{unit.code}")
    for index, unit in enumerate(units_of_kind(session, "village")):
        add(unit, "village_broadcast", f"{_short(unit.name)}「村村響」廣播",
            f"broadcast-{unit.code}")
        if index < 2:
            add(unit, "bulletin_board", f"{_short(unit.name)}宣傳欄", f"board-{unit.code}")
    for index, unit in enumerate(units_of_kind(session, "station")):
        if index == 0:
            add(unit, "wechat_official_account", unit.name, f"gh_{tenant.slug}_{unit.code}")
        else:
            add(unit, "bulletin_board", f"{unit.name}宣傳欄", f"board-{unit.code}")
    old = _register(session, root, "other", f"{town}政務微博", f"weibo-{tenant.slug}",
                    secretary, dt.date(today.year - 6, 5, 1), next(counter))
    services.close_channel(session, old, {
        "closed_on": dt.date(today.year - 1, 12, 20),
        "filing": {"filed_on": dt.date(today.year - 1, 12, 22),
                   "reference": f"網信備〔{today.year - 1}〕{next(counter)}號",
                   "filed_with": "縣委網信辦", "note": "賬號整合至政務公眾號，停止運營"}})
    services.change_channel(session, made[1], {
        "name": f"{town}發布（政務）",
        "filing": {"filed_on": dt.date(today.year, 1, 10),
                   "reference": f"網信備〔{today.year}〕{next(counter)}號",
                   "filed_with": "縣委網信辦", "note": "公眾號更名"}})
    return made


def _reviews(session: Session, channels: list[Channel], today: dt.date) -> None:
    gap, gap_village = gap_quarter(today), gap_unit(session)
    villages = units_of_kind(session, "village")
    last = period_of("quarter", period_of("quarter", today).start - dt.timedelta(days=1))
    current = period_of("quarter", today)
    kinds = dict(session.execute(select(OrgUnit.id, OrgUnit.kind)).all())
    for quarter in _quarters_this_year(today):
        for index, channel in enumerate(channels):
            unit_kind = kinds[channel.unit_id]
            if quarter == gap and gap_village and channel.unit_id == gap_village.id:
                continue  # missed: stays overdue
            if quarter == last and villages and channel.unit_id == villages[0].id and \
                    channel.kind == "bulletin_board":
                continue  # one of two reviewed: the village's quarter stays open
            if quarter == current and unit_kind in ("village", "station"):
                continue  # not yet this quarter: upcoming or due soon
            day = min(quarter.start + dt.timedelta(days=20 + index % 40), today)
            problem = quarter.label.endswith("Q1") and channel.kind == "village_broadcast" \
                and index % 3 == 0
            reviews.record_review(session, channel, {
                "reviewed_on": day, "update_frequency": FREQUENCY[channel.kind],
                "content_checked": CHECKED[channel.kind],
                "problems_found": "個別時段轉播內容未履行播前審核登記" if problem else None,
                "rectification": "補建播前審核登記制度，明確專人把關" if problem else None,
                "rectified_on": day + dt.timedelta(days=7) if problem and
                day + dt.timedelta(days=7) <= today else None})


def _incident(session: Session, settings: dict, channels: list[Channel]) -> None:
    village = gap_unit(session)
    if village is None:
        return
    broadcast = next((c for c in channels if c.unit_id == village.id), None)
    detected = dt.datetime.combine(today() - dt.timedelta(days=62), dt.time(8, 40),
                                   tenant_zone())
    recorded = detected + dt.timedelta(minutes=25)
    incident = incidents.record_incident(session, {
        "unit_id": village.id, "channel_id": broadcast.id if broadcast else None,
        "title": f"{_short(village.name)}廣播轉播未經審核內容引發網上輿情",
        "category": "opinion", "severity": "major",
        "description": "村村響廣播早間時段轉播了一段未經審核的外來音頻，內容有錯誤導向，"
                       "錄音被轉發至多個微信群並引發討論。",
        "detected_at": detected}, settings, now=recorded)
    steps = [
        (10, "handling", f"{village.name}", "立即停播並封存當日播出記錄", None),
        (40, "liaison", "鎮意識形態領導小組辦公室", "通報情況，請求協助監測網上轉發",
         "縣委網信辦"),
        (95, "handling", "鎮黨委", "書記召集專題會議，部署處置和網上引導", None),
        (220, "report", "鎮黨委", "書面報告事件經過、處置情況和下一步措施",
         "縣委宣傳部（上級黨委）"),
        (60 * 26, "handling", "鎮意識形態領導小組辦公室", "協調刪除相關轉發並開展正面引導",
         None),
        (60 * 50, "report", "鎮黨委", "續報處置結果和整改措施", "縣委宣傳部（上級黨委）"),
    ]
    for minutes, kind, actor, action, to in steps:
        incidents.add_entry(session, incident, {
            "at": recorded + dt.timedelta(minutes=minutes), "kind": kind, "actor": actor,
            "action": action, "reported_to": to})
    incidents.close_incident(session, incident, {
        "summary": "停播、封存、網上引導同步進行，輿情三日內平息；首報超過兩小時時限，"
                   "已在黨委會上作出說明並建立播前審核制度。",
        "closed_at": recorded + dt.timedelta(days=5)}, settings)
    stations = units_of_kind(session, "station")
    minor = incidents.record_incident(session, {
        "unit_id": stations[0].id if stations else village.id,
        "title": "文化站閱覽室發現來源不明的宣傳冊",
        "category": "illegal_publication", "severity": "minor",
        "description": "閱覽室書架發現少量來源不明的宣傳冊，已收存待鑑定。",
        "detected_at": utcnow() - dt.timedelta(days=3)}, settings)
    incidents.add_entry(session, minor, {
        "at": utcnow() - dt.timedelta(days=3) + dt.timedelta(hours=1), "kind": "handling",
        "actor": "綜合文化站", "action": "收存宣傳冊，登記發現經過，報鎮辦公室"})


def fill(session: Session, settings: dict[str, Any]) -> None:
    if session.scalar(select(Channel.id).limit(1)) is not None:
        return  # the demo is already here (demo_data runs on every apply)
    day = today()
    channels = _channels(session, day)
    _reviews(session, channels, day)
    _incident(session, settings, channels)
    session.flush()
