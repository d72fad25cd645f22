"""The inspection module's catalogues, obligation rules (docs/domain.md's default table) and
permissions (docs/domain.md's role table)."""

from __future__ import annotations

from zerenzhi import (
    LEADERS_AND_OFFICE,
    TOWNSHIP_READERS,
    TOWNSHIP_STAFF,
    TOWNSHIP_WRITERS,
    UNIT_HEADS,
    Label,
    Permission,
    RuleDef,
)

SCOPE_KINDS = ("village", "station")  # I1: the whole jurisdiction's villages and stations
FINDING_KINDS = ("village", "station", "branch", "office")

METHODS: dict[str, Label] = {  # I2
    "self": Label("全面自查", "Self-inspection"),
    "key": Label("重點檢查", "Key inspection"),
    "written": Label("書面督查", "Written inspection"),
    "on_site": Label("現場督查", "On-site inspection"),
}
# I2: besides every unit's self-inspection, a campaign counts only with at least one check
# of each of these by the office ("全面自查與重點檢查相結合，書面督查與現場督查相結合").
OFFICE_METHODS = ("key", "written", "on_site")
SEVERITIES: dict[str, Label] = {
    "minor": Label("一般", "Minor"),
    "serious": Label("較重", "Serious"),
    "severe": Label("嚴重", "Severe"),
}
RATINGS: dict[str, Label] = {  # I3
    "good": Label("好", "Good"),
    "adequate": Label("一般", "Adequate"),
    "prominent_problems": Label("存在突出問題", "Prominent problems"),
}
ANSWERS = ("yes", "no", "na")

HALF_YEAR = RuleDef(
    key="inspection.half_year",
    source="I1, I2",
    title=Label("每半年對轄區開展一次專題督查", "Half-year special inspection of the jurisdiction"),
    cadence="half_year",
    applies_to=("office",),
    responsible="office",
    evidence=Label("全部村(居)委會和站所提交自查，並有重點檢查、書面督查和現場督查的專題督查",
                   "A campaign in which every village and station submitted its "
                   "self-inspection, with key, written and on-site checks by the office"),
    min_count=1,
    coverage=Label("全部村(居)委會和站所", "every village and station"),
)

INTERVIEW = RuleDef(
    key="inspection.interview",
    source="I3",
    title=Label("對存在突出問題的單位負責人進行約談",
                "Interview the head of a unit with prominent problems"),
    cadence="event",
    applies_to=SCOPE_KINDS,
    responsible="deputy",
    evidence=Label("約談記錄", "Interview record"),
    deadline_hours=15 * 24,  # 15 days after the rating (docs/domain.md's default)
    not_in_text=("deadline_hours",),  # I3 says to interview, not by when: 15 days are ours
)

RECTIFICATION = RuleDef(
    key="inspection.rectification",
    source="I1–I3",
    title=Label("督查發現問題整改", "Rectify an inspection finding"),
    cadence="event",
    applies_to=FINDING_KINDS,
    responsible={"village": "unit_head", "station": "unit_head", "branch": "branch_secretary",
                 "office": "office"},
    evidence=Label("整改材料，經辦公室驗收", "Rectification evidence, verified by the office"),
    deadline_hours=30 * 24,  # a fallback: each finding's plan sets its own deadline
    not_in_text=("deadline_hours",),  # no clause gives a rectification deadline: 30 days are ours
)

RULES = [HALF_YEAR, INTERVIEW, RECTIFICATION]

# I1: the office leads campaigns, the leaders take part (LEADERS_AND_OFFICE); the writes a
# unit makes for itself (self-inspection, rectification) reach only the caller's own units.
PERMISSIONS = [
    Permission("inspection.campaign.read", Label("查看督查", "Read inspections"),
               TOWNSHIP_READERS),
    Permission("inspection.campaign.write",
               Label("組織督查、檢查和評定", "Run campaigns, checks and ratings"),
               LEADERS_AND_OFFICE),
    Permission("inspection.self_inspection.write",
               Label("填報自查", "Fill in and submit a unit's self-inspection"),
               (*LEADERS_AND_OFFICE, *UNIT_HEADS)),
    Permission("inspection.finding.write", Label("登記督查問題", "Raise and edit findings"),
               LEADERS_AND_OFFICE),
    Permission("inspection.rectification.write",
               Label("提交整改材料", "Submit rectification evidence"),
               TOWNSHIP_WRITERS),
    Permission("inspection.finding.verify",
               Label("整改驗收與成效評估", "Verify rectification and check its effect"),
               ("office",)),
    Permission("inspection.interview.write", Label("記錄約談", "Record interviews (約談)"),
               TOWNSHIP_STAFF),
]
