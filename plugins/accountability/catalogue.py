"""The K clauses as reference data (責任追查制度): the thirteen circumstances, the three
severities and the sanctions each brings. Global and fixed — served by the API, never stored
per township. Texts as published (Traditional Chinese), with English translations that agree
with core's clause catalogue (``GET /api/v1/catalogue/clauses``; a test compares them).
"""

from __future__ import annotations

from zerenzhi import Label

CIRCUMSTANCES: dict[str, Label] = {
    "K1": Label(
        "對黨中央或者上級黨組織安排部署的重大宣傳教育任務、重大思想輿論鬥爭組織開展不力的",
        "Poorly organising major publicity and education tasks or major ideological and "
        "public-opinion struggles deployed by the Party Central Committee or a higher party "
        "organisation"),
    "K2": Label(
        "在處置意識形態領域重大問題上,主要領導沒有站在第一線、沒有帶頭與錯誤觀點和錯誤傾向作鬥爭的",
        "In handling major problems in the ideological field, the principal leader not "
        "standing on the front line and not taking the lead in fighting wrong views and wrong "
        "tendencies"),
    "K3": Label(
        "管轄範圍內發生因意識形態領域問題引發羣體性事件的",
        "A mass incident caused by problems in the ideological field occurring within the "
        "jurisdiction"),
    "K4": Label(
        "對重大敏感問題和突發事件處置和引導不力,引起思想混亂,造成嚴重影響的",
        "Poorly handling and guiding major sensitive issues and sudden incidents, causing "
        "ideological confusion and serious impact"),
    "K5": Label(
        "對黨員幹部公開發表違背黨章、黨的決定決議和政策的言論放任不管、處置不力的",
        "Letting party-member cadres' public statements contrary to the party constitution, "
        "the party's decisions and resolutions or its policies go unchecked, or handling them "
        "poorly"),
    "K6": Label(
        "所屬輿論陣地出現嚴重錯誤導向的",
        "A public-opinion platform under its management showing a seriously wrong orientation"),
    "K7": Label(
        "管轄範圍內出現大量非法出版物和編寫的教材等在意識形態方面有嚴重錯誤導向的",
        "Large numbers of illegal publications, compiled teaching materials and the like with "
        "a seriously wrong ideological orientation appearing within the jurisdiction"),
    "K8": Label(
        "管轄範圍內的會議、講座、論壇有發表否定黨的領導,攻擊中國特色社會主義制度言論,造成不良影響的",
        "Statements denying the leadership of the party or attacking the system of socialism "
        "with Chinese characteristics made at meetings, lectures or forums within the "
        "jurisdiction, causing adverse effects"),
    "K9": Label(
        "對管轄範圍內意識形態工作出現嚴重問題隱瞞不報的",
        "Concealing, and not reporting, serious problems in ideology work within the "
        "jurisdiction"),
    "K10": Label(
        "黨員領導幹部通過信息網絡、廣播電視、報刊書籍、論壇講座等公開發表違背中央精神言論、妄議中央大政方針的",
        "Party-member leading cadres publicly making statements contrary to the spirit of the "
        "Party Central Committee, or improperly discussing (妄議) its major policies, through "
        "information networks, radio and television, newspapers, periodicals and books, forums, "
        "lectures and the like"),
    "K11": Label(
        "黨員領導幹部組織、利用宗教活動反對黨的路線、方針、政策和決議,破壞民族團結的",
        "Party-member leading cadres organising or using religious activities to oppose the "
        "party's line, principles, policies and resolutions, or undermining ethnic unity"),
    "K12": Label(
        "黨員領導幹部在涉外活動中,因言行不當在政治上造成惡劣影響,損害黨和國家形象的",
        "Party-member leading cadres whose improper words or deeds in foreign-related "
        "activities cause a pernicious political impact, damaging the image of the party and "
        "the state"),
    "K13": Label(
        "其他未能切實履行工作職責,造成不良後果的",
        "Other failures to genuinely perform work duties, causing adverse consequences"),
}

# K10–K12 name 黨員領導幹部 as their subject: a case citing one names the cadre, a member
# holding one of these posts (docs/domain.md, the organisation), not only a group.
CADRE_CIRCUMSTANCES = ("K10", "K11", "K12")
LEADING_POSTS = ("secretary", "deputy", "member", "branch_secretary", "branch_committee_member",
                 "unit_head")

SEVERITIES: dict[str, Label] = {
    "minor": Label("情節較輕", "Minor"),
    "serious": Label("情節較重", "Serious"),
    "especially_serious": Label("情節特別嚴重", "Especially serious"),
}

SANCTIONS: dict[str, Label] = {
    "criticism_education": Label("批評教育", "Criticism and education"),
    "written_self_criticism": Label("書面檢查", "Written self-criticism"),
    "admonishment_talk": Label("誡勉談話", "Admonishment talk"),
    "circulated_criticism": Label("通報批評", "Circulated criticism"),
    "public_self_criticism": Label("責令公開檢討或公開道歉",
                                   "Ordered public self-criticism or apology"),
    "suspension": Label("停職檢查", "Suspension for examination"),
    "transfer": Label("調離崗位", "Transfer from post"),
    "resignation": Label("引咎辭職或責令辭職", "Resignation or ordered resignation"),
    "expulsion": Label("開除黨籍", "Expulsion from the party"),
    "demotion": Label("降職", "Demotion"),
    "dismissal": Label("辭退", "Dismissal"),
}

# The text's table: which sanctions each severity brings, lightest severity first. They
# may be applied singly or combined ("以上問責方式可以單獨使用，也可同時使用"): a severity's
# own sanctions, with those of lighter severities but never a heavier one's (decision 0020).
ALLOWED: dict[str, tuple[str, ...]] = {
    "minor": ("criticism_education", "written_self_criticism", "admonishment_talk"),
    "serious": ("circulated_criticism", "public_self_criticism", "suspension", "transfer"),
    "especially_serious": ("resignation", "expulsion", "demotion", "dismissal"),
}

SUBJECT_KINDS: dict[str, Label] = {
    "leadership_group": Label("領導班子", "Leadership group"),
    "leading_cadre": Label("黨員領導幹部", "Party-member leading cadre"),
}

STATUSES: dict[str, Label] = {
    "opened": Label("已立案", "Opened"),
    "investigating": Label("調查核實中", "Under investigation"),
    "decided": Label("已提出處理意見", "Severity and sanctions proposed"),
    "referred": Label("已報請區紀委", "Referred to the district discipline commission"),
    "outcome_recorded": Label("區紀委已作出決定",
                              "The district discipline commission's decision recorded"),
    "closed": Label("已結案", "Closed"),
}

# Evidence a case may cite, by core reference type (validated by core.describe_reference).
EVIDENCE_TYPES: dict[str, Label] = {
    "obligation": Label("逾期義務", "Overdue obligation"),
    "inspection.finding": Label("督查發現問題", "Inspection finding"),
    "platforms.incident": Label("意識形態事件", "Incident"),
}


def lighter(severity: str) -> tuple[str, ...]:
    """The severities lighter than ``severity``, whose sanctions it may combine with."""
    order = list(ALLOWED)
    return tuple(order[:order.index(severity)])


def combinable(severity: str) -> tuple[str, ...]:
    """Every sanction a decision of ``severity`` may apply: its own and lighter ones."""
    return tuple(s for level in (*lighter(severity), severity) for s in ALLOWED[level])


def disallowed(severity: str, sanctions: list[str]) -> list[str]:
    """The sanctions a decision of ``severity`` may not apply: a heavier severity's
    (empty when the choice is valid)."""
    return [s for s in sanctions if s not in combinable(severity)]


def of_severity(severity: str, sanctions: list[str]) -> bool:
    """Whether the choice applies at least one of ``severity``'s own sanctions: lighter
    ones alone would be a lighter severity misnamed."""
    return any(s in ALLOWED[severity] for s in sanctions)
