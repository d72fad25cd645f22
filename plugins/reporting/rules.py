"""The reporting rules of docs/domain.md's default rule table (R1–R3, and W2 for the
committee) and the permissions."""

from __future__ import annotations

from zerenzhi import LEADERS_AND_OFFICE, TOWNSHIP_STAFF, Label, Permission, RuleDef

COMMITTEE_SPECIAL_MEETING = RuleDef(
    key="reporting.committee_special_meeting",
    source="R1",
    title=Label("黨委專題研究意識形態工作", "Committee special meeting on ideology work"),
    cadence="half_year",
    applies_to=("committee",),
    responsible="secretary",
    evidence=Label("意識形態專題會議記錄", "A committee meeting on ideology"),
    min_count=1,
)
# W2 for the committee: "黨委書記每年至少兩次專題研究" is met by the same committee meeting as
# R1's "鎮黨委每年至少召開兩次專題研究" — one record, two ledger entries (decision 0019).
# Branch secretaries keep W2 through their own deliberations (study.secretary_special_study).
SECRETARY_DELIBERATION = RuleDef(
    key="reporting.secretary_deliberation",
    source="W2",
    title=Label("黨委書記專題研究意識形態工作",
                "The committee secretary's special deliberation on ideology work"),
    cadence="year",
    applies_to=("committee",),
    responsible="secretary",
    evidence=Label("意識形態專題會議記錄（與R1同一記錄）",
                   "A committee meeting on ideology (the same record as R1's)"),
    min_count=2,
    notes={"clauses": ["W2", "R1"]},
)
HALF_YEAR_REPORT = RuleDef(
    key="reporting.half_year_report",
    source="R1",
    title=Label("向上級黨委專題彙報", "Half-year report to the higher committee"),
    cadence="half_year",
    applies_to=("committee",),
    responsible="secretary",
    evidence=Label("已報送上級黨委的報告", "A report submitted to the higher committee"),
    min_count=1,
)
ASSEMBLY_REPORT = RuleDef(
    key="reporting.assembly_report",
    source="R2",
    title=Label("向黨員大會報告意識形態工作", "Ideology work in the report to the assembly"),
    cadence="year",
    applies_to=("committee",),
    responsible="secretary",
    evidence=Label("含意識形態部分的黨員大會報告", "An assembly report with an ideology section"),
    min_count=1,
    not_in_text=("cadence",),  # R2 names no cadence (whenever the assembly meets): yearly is ours
)
MAJOR_SITUATION = RuleDef(
    key="reporting.major_situation",
    source="R3",
    title=Label("重大情況及時報告", "Prompt report of a major situation"),
    cadence="event",
    applies_to=("committee",),
    responsible="secretary",
    evidence=Label("附建議的重大情況報告", "The report on the situation, with proposals"),
    deadline_hours=24,
    not_in_text=("deadline_hours",),  # R3 says "及時" (promptly): the 24 hours are ours
)
RULES = [COMMITTEE_SPECIAL_MEETING, SECRETARY_DELIBERATION, HALF_YEAR_REPORT, ASSEMBLY_REPORT,
         MAJOR_SITUATION]

# The committee's records: the committee, its office and viewers read them (no role group
# is this set: unit heads do not); leaders and the office (which drafts) write them.
READERS = (*TOWNSHIP_STAFF, "viewer")


def _pair(thing: str, zh: str, en: str) -> list[Permission]:
    return [Permission(f"reporting.{thing}.read", Label(f"查看{zh}", f"Read {en}"), READERS),
            Permission(f"reporting.{thing}.write", Label(f"記錄{zh}", f"Record {en}"),
                       LEADERS_AND_OFFICE)]


PERMISSIONS = [
    *_pair("meeting", "專題會議", "committee meetings on ideology"),
    *_pair("report", "報告", "reports to the higher committee and the assembly"),
    *_pair("situation", "重大情況", "major situations and their reports"),
]
