"""The analysis module's catalogue (the six domains of A2, analysis kinds), its obligation
rules (docs/domain.md's default table) and permissions (docs/domain.md's role table)."""

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

# A2: the six domains, keyed for storage; labels as in the seed, with English names.
DOMAINS: dict[str, Label] = {
    "theory": Label("思想理論", "Theory"),
    "news_opinion": Label("新聞輿論", "News and public opinion"),
    "culture_arts": Label("文化藝術", "Culture and the arts"),
    "social_opinion": Label("社會輿論", "Social opinion"),
    "ideas_morality": Label("思想道德", "Ideas and morality"),
    "online_opinion": Label("網上輿論", "Online opinion"),
}
DOMAIN_KEYS = tuple(DOMAINS)

KINDS: dict[str, Label] = {
    "half_year": Label("半年分析研判", "Half-year analysis (A2)"),
    "forward_looking": Label("敏感節點前瞻性分析研判", "Forward-looking analysis (A3)"),
    "ad_hoc": Label("特定領域和羣體隨時分析研判", "Ad-hoc analysis of a field or group (A3)"),
}
DATE_KINDS: dict[str, Label] = {
    "sensitive_date": Label("重大敏感時間節點", "Major sensitive date"),
    "hot_topic": Label("重大輿情熱點", "Major public-opinion hot topic"),
}

HALF_YEAR = RuleDef(
    key="analysis.half_year",
    source="A2",
    title=Label("每半年分析研判意識形態領域情況", "Half-year analysis of the ideological field"),
    cadence="half_year",
    applies_to=("committee",),
    responsible="deputy",
    evidence=Label("經分管領導或書記審定、覆蓋全部規定領域的分析研判報告",
                   "An analysis covering every required domain, approved by the leader "
                   "in charge or the secretary"),
    min_count=1,
    coverage=Label("思想理論、新聞輿論、文化藝術、社會輿論、思想道德、網上輿論",
                   "theory, news, culture, social opinion, ideas and morality, online opinion"),
)

SENSITIVE_DATE = RuleDef(
    key="analysis.sensitive_date",
    source="A3",
    title=Label("重大敏感時間節點前瞻性分析研判",
                "Forward-looking analysis before a sensitive date"),
    cadence="event",
    applies_to=("committee",),
    responsible="deputy",
    evidence=Label("與該節點關聯的前瞻性分析研判", "A forward-looking analysis linked to the date"),
    deadline_hours=-7 * 24,  # 7 days before the date (docs/domain.md's default)
    not_in_text=("deadline_hours",),  # A3 says "forward-looking", not how far ahead
    # a hot topic's analysis is due the setting hot_topic_hours after it is recorded
)

RULES = [HALF_YEAR, SENSITIVE_DATE]

# A1: the committee organises (its leaders and office write analyses and keep the calendar);
# contributors submit for their own unit only (require_unit_write); M1, M2 approve.
PERMISSIONS = [
    Permission("analysis.analysis.read", Label("查看分析研判", "Read analyses"),
               TOWNSHIP_READERS),
    Permission("analysis.analysis.write", Label("編寫分析研判", "Write analyses"),
               LEADERS_AND_OFFICE),
    Permission("analysis.analysis.approve",
               Label("審定分析研判", "Approve analyses (leader in charge or secretary)"),
               LEADERS),
    Permission("analysis.contribution.submit",
               Label("報送分析研判材料", "Submit a unit's contribution"), TOWNSHIP_WRITERS),
    Permission("analysis.sensitive_date.write",
               Label("維護敏感節點", "Keep the calendar of sensitive dates"), LEADERS_AND_OFFICE),
]
