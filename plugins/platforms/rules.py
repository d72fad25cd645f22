"""The platforms module's rules (P1, P2 with their default numbers) and permissions.

``platforms.register_review`` applies to every unit that may own a channel; the role that
answers for it is the unit's own head (``unit_head`` at villages and stations, the branch
secretary at a branch, the secretary for the committee's channels, the office for its own).
"""

from __future__ import annotations

from sqlalchemy import select

from zerenzhi import (
    TOWNSHIP_READERS,
    TOWNSHIP_STAFF,
    TOWNSHIP_WRITERS,
    Label,
    Permission,
    RuleDef,
)


def units_owning_channels(session, period) -> set:
    """Only units with a channel due in the quarter owe a review (P1)."""
    from zerenzhi.plugins.platforms.models import Channel
    from zerenzhi.plugins.platforms.reviews import due_in

    channels = session.scalars(select(Channel).where(Channel.archived_at.is_(None))).all()
    return {channel.unit_id for channel in channels if due_in(channel, period)}


REGISTER_REVIEW = RuleDef(
    key="platforms.register_review",
    source="P1",
    title=Label("陣地平臺季度檢查", "Quarterly review of each registered channel"),
    cadence="quarter",
    applies_to=("committee", "office", "branch", "village", "station"),
    responsible={"committee": "secretary", "office": "office", "branch": "branch_secretary",
                 "village": "unit_head", "station": "unit_head"},
    evidence=Label("本單位每個在用陣地本季度均有檢查記錄",
                   "A review this quarter of every active channel the unit owns"),
    min_count=1,
    coverage=Label("每個登記在用的陣地", "every registered active channel"),
    units=units_owning_channels,
    units_follow=("platforms_channel",),  # registering or archiving a channel changes P1's units
    not_in_text=("cadence",),  # P1 says "daily gathering, manage", not how often to review
)

INCIDENT_REPORT = RuleDef(
    key="platforms.incident_report",
    source="P2",
    title=Label("重大事件邊處置邊報告", "First report of a major incident to the higher level"),
    cadence="event",
    applies_to=("committee",),
    responsible="secretary",
    evidence=Label("向上級黨委的首次報告", "The first report to the higher committee"),
    deadline_hours=2,
    not_in_text=("deadline_hours",),  # P2 says "邊處置，邊報告" (at once): the 2 hours are ours
)

RULES = [REGISTER_REVIEW, INCIDENT_REPORT]

# Units keep their own channels: branch secretaries, unit heads and members write only in
# their own units (require_unit_write); the committee's leaders and the office everywhere.
# Incidents are handled by the committee (P2, P3): its leaders, the office, assigned members.
INCIDENT_READERS = (*TOWNSHIP_STAFF, "viewer")

PERMISSIONS = [
    Permission("platforms.channel.read", Label("查看陣地登記", "Read the channel register"),
               TOWNSHIP_READERS),
    Permission("platforms.channel.write", Label("登記和備案陣地", "Register and file channels"),
               TOWNSHIP_WRITERS),
    Permission("platforms.review.read", Label("查看陣地檢查", "Read channel reviews"),
               TOWNSHIP_READERS),
    Permission("platforms.review.write", Label("記錄陣地檢查", "Record channel reviews"),
               TOWNSHIP_WRITERS),
    Permission("platforms.incident.read", Label("查看意識形態事件", "Read incidents"),
               INCIDENT_READERS),
    Permission("platforms.incident.write", Label("處置和報告事件", "Handle and report incidents"),
               TOWNSHIP_STAFF),
]
