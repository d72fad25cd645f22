"""The fixed vocabularies of the platforms module (P1–P4, W7), stored as codes and served
with zh-Hant / zh-Hans / en labels (``core.render``). Codes are what the API accepts."""

from __future__ import annotations

from zerenzhi import Label

CHANNEL_KINDS: dict[str, Label] = {
    "website": Label("網站", "Website"),
    "wechat_official_account": Label("微信公眾號", "WeChat official account"),
    "wechat_work_group": Label("微信工作群", "WeChat work group"),
    "xuexi_qiangguo_group": Label("學習強國學習組", "Xuexi Qiangguo study group"),
    "bulletin_board": Label("宣傳欄", "Bulletin board"),
    "village_broadcast": Label("村村響廣播", "Village broadcast"),
    "other": Label("其他陣地", "Other channel"),
}

CHANNEL_STATUSES: dict[str, Label] = {
    "active": Label("正常運行", "Active"),
    "suspended": Label("暫停使用", "Suspended"),
    "closed": Label("已關閉", "Closed"),
}

FILING_ACTIONS: dict[str, Label] = {
    "open": Label("開設備案", "Opening filed"),
    "change": Label("變更備案", "Change filed"),
    "close": Label("關閉備案", "Closing filed"),
}

UPDATE_FREQUENCIES: dict[str, Label] = {
    "daily": Label("每日更新", "Daily"),
    "weekly": Label("每週更新", "Weekly"),
    "monthly": Label("每月更新", "Monthly"),
    "irregular": Label("不定期更新", "Irregular"),
    "dormant": Label("長期未更新", "Dormant"),
}

# P2 incidents; the P4 fields are categories only (no registers of persons or groups), W7 too.
INCIDENT_CATEGORIES: dict[str, tuple[str, Label]] = {
    "opinion": ("P2", Label("重大輿情", "Public-opinion incident")),
    "network": ("P1", Label("網絡意識形態安全事件", "Network ideology-security incident")),
    "religious_propagation": ("P4", Label("宗教及宗教思想傳播", "Religious propagation")),
    "foreign_exchange": ("P4", Label("對外文化交流、學術交流合作",
                                     "Foreign cultural or academic exchange")),
    "ngo_activity": ("P4", Label("轄區非政府組織活動", "NGO activity in the jurisdiction")),
    "illegal_publication": ("P4", Label("非法出版物", "Illegal publication")),
    "cult": ("W7", Label("邪教滲透", "Cult infiltration")),
    "other": ("P2", Label("其他意識形態事件", "Other ideology incident")),
}

# Ordered from least to most severe: the settings name the first that must be reported.
SEVERITIES: dict[str, Label] = {
    "minor": Label("一般", "Minor"),
    "serious": Label("較大", "Serious"),
    "major": Label("重大", "Major"),
    "especially_major": Label("特別重大", "Especially major"),
}

ENTRY_KINDS: dict[str, tuple[str, Label]] = {
    "handling": ("P2", Label("處置", "Handling step")),
    "report": ("P2", Label("向上級報告", "Report to the higher level")),
    "liaison": ("P3", Label("與上級部門溝通聯動", "Liaison with higher departments")),
}

INCIDENT_STATUSES: dict[str, Label] = {
    "open": Label("處置中", "Being handled"),
    "closed": Label("已辦結", "Closed"),
}


def severity_rank(code: str) -> int:
    return list(SEVERITIES).index(code)


def is_reportable(severity: str, report_from: str) -> bool:
    """Whether an incident of ``severity`` starts the P2 report deadline."""
    return severity_rank(severity) >= severity_rank(report_from)
