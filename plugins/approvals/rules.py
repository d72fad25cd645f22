"""W6's rule, the activity catalogue and the module's permissions (docs/domain.md tables)."""

from __future__ import annotations

from zerenzhi import (
    LEADERS,
    LEADERS_AND_OFFICE,
    TOWNSHIP_READERS,
    TOWNSHIP_WRITERS,
    Label,
    Permission,
    RuleDef,
)

PRIOR_APPROVAL = RuleDef(
    key="approvals.prior_approval",
    source="W6",
    title=Label("重大活動事先審批並報上級備案", "Prior approval and filing of major activities"),
    cadence="event",
    applies_to=("committee",),
    responsible="secretary",
    evidence=Label("黨委批准決定及上級備案記錄",
                   "The committee's approval before the start, and the filing record"),
    # The deadline is the activity's planned start, passed as due_at when an application
    # is submitted; this number is only the fallback the rule type requires.
    deadline_hours=0,
    notes={"deadline": "the activity's planned start"},
)

# P4's categories appear here only as kinds of activity (docs/domain.md, Scope).
KINDS: dict[str, Label] = {
    "lecture": Label("講座", "Lecture"),
    "forum": Label("論壇", "Forum"),
    "seminar": Label("研討會", "Seminar"),
    "publication": Label("出版物", "Publication"),
    "foreign_cultural_exchange": Label("對外文化交流", "Foreign cultural exchange"),
    "academic_cooperation": Label("學術交流合作", "Academic cooperation"),
    "religious_related": Label("涉及宗教的活動", "Religion-related activity"),
    "other": Label("其他", "Other"),
}

STATUSES: dict[str, Label] = {
    "draft": Label("草稿", "Draft"),
    "submitted": Label("已報批", "Submitted"),
    "approved": Label("已批准", "Approved"),
    "rejected": Label("不予批准", "Rejected"),
    "filed": Label("已報上級備案", "Filed with the higher level"),
    "held": Label("已舉辦", "Held"),
    "cancelled": Label("已取消", "Cancelled"),
}

# "Whoever organises is responsible": organisers write their own unit's applications
# (require_unit_write); "whoever approves supervises": the committee's leaders decide (M1,
# M2) and, with their office, file with the higher level.
PERMISSIONS = [
    Permission("approvals.application.read", Label("查看活動審批", "Read activity approvals"),
               TOWNSHIP_READERS),
    Permission("approvals.application.write",
               Label("申報活動", "Apply for, and report on, activities"), TOWNSHIP_WRITERS),
    Permission("approvals.application.decide",
               Label("審批活動", "Decide on activity applications"), LEADERS),
    Permission("approvals.application.file",
               Label("報上級備案", "File approved activities with the higher level"),
               LEADERS_AND_OFFICE),
]
