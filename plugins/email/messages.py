"""What a reminder says in a mail: a subject a phone shows whole, then one fact a line —
what is due or overdue, where, by when (the township's date), who answers for it, how many
days are left. The weekly digest is one mail per responsible person."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

DIGEST_ITEMS = 50  # per list; the rest is counted, not listed
WEEKDAYS = "一二三四五六日"


def local_due(due_at: str, zone: ZoneInfo) -> str:
    """A deadline at local midnight is the end of the day before (``2026-09-30（週三）``);
    any other time is shown with its hour."""
    local = dt.datetime.fromisoformat(due_at).astimezone(zone)
    if local.time() == dt.time(0):
        day = local.date() - dt.timedelta(days=1)
        return f"{day.isoformat()}（週{WEEKDAYS[day.weekday()]}）"
    return f"{local.date().isoformat()}（週{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def _who(item: dict[str, Any]) -> str:
    """Who answers: the holders' names and the post's name, which the reminder event carries
    (``responsible_role_label``; docs/domain.md M1–M3)."""
    names = "、".join(p["name"] for p in item.get("responsible") or ())
    post = item.get("responsible_role_label") or item.get("responsible_role") or ""
    if names and post:
        return f"{names}（{post}）"
    return names or (f"{post}（崗位空缺）" if post else "未指定")


def _left(item: dict[str, Any]) -> str:
    if item.get("status") == "overdue":
        days = item.get("days_overdue") or 0
        return f"已逾期 {days} 天" if days else "已逾期，不足 1 天"
    return f"剩餘 {item.get('days_left', 0)} 天"


def _item(item: dict[str, Any], zone: ZoneInfo) -> list[str]:
    return [f"· {item.get('title', item.get('rule', ''))}",
            f"  單位：{item.get('unit_name', '')}　期限：{local_due(item['due_at'], zone)}",
            f"  責任人：{_who(item)}　{_left(item)}"]


def compose(event: str, data: dict[str, Any], township: str,
            zone: ZoneInfo) -> tuple[str, str]:
    """(subject, plain-text body) for one event of ``township``."""
    if event in ("obligation.due_soon", "obligation.overdue"):
        head = "已逾期" if event == "obligation.overdue" else "即將到期"
        title = data.get("title", data.get("rule", ""))
        subject = f"【{head}】{title}（{data.get('unit_name', '')}）"
        lines = [f"事項：{title}", f"單位：{data.get('unit_name', '')}",
                 f"期限：{local_due(data['due_at'], zone)}", f"責任人：{_who(data)}",
                 f"狀態：{_left(data)}"]
    elif event == "obligation.digest":
        overdue, open_ = data.get("overdue") or [], data.get("open") or []
        subject = (f"【本週待辦】{data.get('member_name', '')}：逾期 {len(overdue)} 項，"
                   f"待辦 {len(open_)} 項（{data.get('week', '')}）")
        lines = [f"{data.get('member_name', '')}，本週您負責的事項："]
        for label, items in (("逾期", overdue), ("待辦", open_)):
            lines += ["", f"{label} {len(items)} 項"]
            for item in items[:DIGEST_ITEMS]:
                lines += _item(item, zone)
            if len(items) > DIGEST_ITEMS:
                lines.append(f"· ……另有 {len(items) - DIGEST_ITEMS} 項")
    else:
        subject = f"【通知】{event}"
        lines = [f"{key}：{value}" for key, value in data.items()
                 if isinstance(value, str | int | float | bool)]
    return subject[:200], "\n".join([*lines, "", f"— 責任制 · {township}"]) + "\n"
