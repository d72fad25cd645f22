"""The study rules of docs/domain.md's default rule table (W2 for branches, W3) and the
module's permissions."""

from __future__ import annotations

from zerenzhi import TOWNSHIP_READERS, TOWNSHIP_WRITERS, Label, Permission, RuleDef

# W2 for branches: a 專題研究 is a deliberation on the branch's ideology key work and
# responsibility system, recorded as a branch meeting of kind ``special_study``; no study
# session (centralised, training) counts. The committee secretary's W2 is the committee's
# special meeting, the record that fulfils R1 (reporting.secretary_deliberation; 0019).
SECRETARY_SPECIAL_STUDY = RuleDef(
    key="study.secretary_special_study",
    source="W2",
    title=Label("支部書記專題研究意識形態工作",
                "Branch secretary's special deliberation on ideology work"),
    cadence="year",
    applies_to=("branch",),
    responsible="branch_secretary",
    evidence=Label("支部專題研究會議記錄（類型「專題研究」，非學習）",
                   "A branch meeting of kind special_study (a deliberation, not a study)"),
    min_count=2,
)
BRANCH_THEORY_STUDY = RuleDef(
    key="study.branch_theory_study",
    source="W3",
    title=Label("支部集中理論學習", "Branch centralised theory study"),
    cadence="year",
    applies_to=("branch",),
    responsible="branch_secretary",
    evidence=Label("集中學習記錄", "A centralised study session"),
    min_count=12,
)
BRANCH_IDEOLOGY_STUDY = RuleDef(
    key="study.branch_ideology_study",
    source="W3",
    title=Label("支部意識形態專題學習", "Branch study on ideology work"),
    cadence="year",
    applies_to=("branch",),
    responsible="branch_secretary",
    evidence=Label("標記意識形態的集中學習記錄", "A centralised study session tagged ideology"),
    min_count=2,
)
RULES = [SECRETARY_SPECIAL_STUDY, BRANCH_THEORY_STUDY, BRANCH_IDEOLOGY_STUDY]

# Writers (TOWNSHIP_WRITERS) reach only the units their posts reach (require_unit_write): a
# branch secretary records their own branch's study, a unit head their unit's training (M5).
# Importing a whole register: the leaders, the office and branch secretaries (no role group).
IMPORTERS = ("secretary", "deputy", "office", "branch_secretary")

PERMISSIONS = [
    Permission("study.session.read", Label("查看學習記錄", "Read study sessions"),
               TOWNSHIP_READERS),
    Permission("study.session.write", Label("記錄學習", "Record study sessions"),
               TOWNSHIP_WRITERS),
    Permission("study.session.import", Label("導入學習記錄", "Import study sessions"), IMPORTERS),
    Permission("study.plan.read", Label("查看學習計劃", "Read study plans"), TOWNSHIP_READERS),
    Permission("study.plan.write", Label("制定學習計劃", "Write study plans"), TOWNSHIP_WRITERS),
]
