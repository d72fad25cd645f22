"""Demo applications for a township (龍爪鎮): approvals before and after the fact.

Dates are relative to today, so the W6 obligations show a mix: one met (approved and filed
before the start), one approved after the activity started (flagged late), one approved
but never filed (overdue), one awaiting the committee (due soon) and a draft.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import LEADERS, committee, tenant_zone, today, unit_members, units_of_kind
from zerenzhi.plugins.approvals import services
from zerenzhi.plugins.approvals.models import Application

FILED_WITH = "區委宣傳部"


def _unit(session: Session, code: str, kind: str):
    units = units_of_kind(session, kind)
    return next((u for u in units if u.code == code), units[0] if units else None)


def load(session: Session, settings: dict) -> None:
    """Fill the township once; skipped when it has applications already."""
    if session.scalar(select(Application.id).limit(1)) is not None:
        return
    zone, base = tenant_zone(), today()

    def at(days: int, hour: int = 9) -> dt.datetime:
        return dt.datetime.combine(base + dt.timedelta(days=days), dt.time(hour), zone)

    leaders = [m for m, _n, role in unit_members(session, committee(session).id)
               if role in LEADERS]
    station = _unit(session, "station-1", "station")
    village = _unit(session, "village-1", "village")
    branch = _unit(session, "branch-1", "branch")
    if not leaders or None in (station, village, branch):
        return  # no decider or no units: nothing realistic to show
    notice = settings.get("min_notice_days", 7)

    def application(unit, kind, title, start, hours, venue, summary, people, person):
        return services.create_application(
            session, kind=kind, organiser_unit_id=unit.id, responsible_person=person,
            title=title, starts_at=start, ends_at=start + dt.timedelta(hours=hours),
            venue=venue, summary=summary, expected_participants=people)

    # 1. Approved and filed well before the start, then held: W6 met.
    lecture = application(
        station, "lecture", "學習貫徹黨的二十屆四中全會精神宣講報告會", at(-40, 14), 2,
        "綜合文化站多功能廳", "邀請區委宣講團成員作專題宣講，鎮村幹部和黨員代表參加。",
        120, "田站長")
    services.submit(session, lecture, min_notice_days=notice, now=at(-55))
    services.decide(session, lecture, decision="approved", decided_by=leaders[0],
                    decided_at=at(-50, 16), conditions="講稿提前報鎮黨委辦公室審閱。",
                    now=at(-50, 16))
    services.file_with_higher_level(session, lecture, reference="龍宣備〔2026〕18號",
                                    filed_with=FILED_WITH, filed_at=at(-48, 10),
                                    now=at(-48, 10))
    services.record_outcome(session, lecture, outcome="held", note="如期舉辦，到會118人。",
                            now=at(-40, 17))

    # 2. Submitted late, approved only after it had started: flagged, W6 not met.
    forum = application(
        village, "forum", "鄉風文明建設村民議事論壇", at(-20, 9), 3, "龍爪村村民活動中心",
        "圍繞移風易俗、村規民約修訂開展討論，邀請外地民俗學者發言。", 80, "韓主任")
    services.submit(session, forum, min_notice_days=notice, now=at(-22, 15))
    services.decide(session, forum, decision="approved", decided_by=leaders[0],
                    decided_at=at(-19, 11), conditions="補報發言材料。", now=at(-19, 11))
    services.file_with_higher_level(session, forum, reference="龍宣備〔2026〕21號",
                                    filed_with=FILED_WITH, filed_at=at(-18, 10),
                                    now=at(-18, 10))
    services.record_outcome(session, forum, outcome="held", note="論壇已於批准前舉辦。",
                            now=at(-18, 16))

    # 3. Approved in time but never filed with the higher level: overdue.
    publication = application(
        branch, "publication", "《龍爪黨建》2026年第4期內部資料", at(-5, 9), 1, "機關黨支部",
        "內部學習資料，收錄支部理論學習心得和基層黨建經驗。", 300, "楊支書")
    services.submit(session, publication, min_notice_days=notice, now=at(-15))
    services.decide(session, publication, decision="approved", decided_by=leaders[0],
                    decided_at=at(-12, 15), now=at(-12, 15))

    # 4. Awaiting the committee's decision; the start is ten days away (due soon).
    seminar = application(
        station, "seminar", "網絡意識形態安全專題研討會", at(10, 9), 4, "黨群服務中心會議室",
        "研討村級微信群、公眾號管理辦法，邀請區網信辦同志授課。", 60, "田站長")
    services.submit(session, seminar, min_notice_days=notice, now=at(0, 8))

    # 5. A draft not yet submitted: nothing is due.
    application(
        station, "foreign_cultural_exchange", "友好城市青年鄉村文化交流活動", at(45, 9), 6,
        "綜合文化站", "接待交流團參觀非遺工坊並座談。", 40, "田站長")
    session.flush()
