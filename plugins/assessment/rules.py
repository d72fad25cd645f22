"""M4/I4's rule and the module's permissions (docs/domain.md tables)."""

from __future__ import annotations

from zerenzhi import (
    LEADERS,
    LEADERS_AND_OFFICE,
    TOWNSHIP_READERS,
    Label,
    Permission,
    RuleDef,
)

ANNUAL = RuleDef(
    key="assessment.annual",
    source="M4",  # and I4: the responsibility system is scored in the party-building assessment
    title=Label("年度意識形態工作考覈", "Annual assessment of ideology work"),
    cadence="year",
    applies_to=("office",),
    responsible="office",
    evidence=Label("考覈評分（每個單位一項，已定稿）",
                   "Assessment scores: one for every unit, finalised"),
    min_count=1,
    coverage=Label("每個單位", "Every active unit"),
    notes={"clauses": ["M4", "I4"]},
    not_in_text=("cadence",),  # M4/I4 say "assessed", not how often: yearly is ours
)

# The office runs the assessment (W4); adjustments and reopening a final result are the
# committee leaders' call (M1, M2), with a reason, in the audit log.
PERMISSIONS = [
    Permission("assessment.score.read", Label("查看考覈結果", "Read assessment results"),
               TOWNSHIP_READERS),
    Permission("assessment.score.write",
               Label("錄入督查得分、計算考覈", "Enter inspection scores and compute"),
               LEADERS_AND_OFFICE),
    Permission("assessment.adjustment.write",
               Label("考覈加減分", "Adjust assessment scores"), LEADERS),
    Permission("assessment.year.reopen",
               Label("重新開啟已定稿考覈", "Reopen a finalised assessment"), LEADERS),
]
