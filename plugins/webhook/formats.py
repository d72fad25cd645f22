"""The message formats of the group-chat robots township offices use, beside the signed
generic JSON: what a reminder says on a phone, and how each robot wants it signed.

A delivery row keeps the event as recorded; the body is rendered from it when sent, because
the DingTalk and Feishu signatures carry the sending time (both robots refuse one older
than an hour), and so a corrected format or URL applies to deliveries still pending.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

FORMATS = ("json", "wecom", "dingtalk", "feishu")
DIGEST_ITEMS = 15  # per list in a weekly digest; the rest is counted, not listed
MAX_BYTES = 4000  # WeCom's markdown content is at most 4096 bytes, the tightest limit
WEEKDAYS = "一二三四五六日"


def local_due(due_at: str, zone: ZoneInfo) -> str:
    """The due date as the township reads it: a deadline at local midnight is the end of
    the day before (``2026-09-30（週三）``); any other time is shown with its hour."""
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


def _one(item: dict[str, Any], zone: ZoneInfo) -> str:
    return (f"{item.get('title', item.get('rule', ''))}｜{item.get('unit_name', '')}｜"
            f"{local_due(item['due_at'], zone)}｜{_left(item)}")


def message(payload: dict[str, Any], zone: ZoneInfo) -> tuple[str, list[str]]:
    """(title, lines) in Chinese for one recorded event: what is due or overdue, where,
    by when (local), who answers for it and how many days are left."""
    event, data = payload["event"], payload.get("data") or {}
    if event in ("obligation.due_soon", "obligation.overdue"):
        head = "已逾期" if event == "obligation.overdue" else "即將到期"
        return f"【{head}】{data.get('title', data.get('rule', ''))}", [
            f"單位：{data.get('unit_name', '')}",
            f"期限：{local_due(data['due_at'], zone)}",
            f"責任人：{_who(data)}",
            f"狀態：{_left(data)}",
        ]
    if event == "obligation.digest":
        lines = []
        for label, items in (("逾期", data.get("overdue") or []),
                             ("待辦", data.get("open") or [])):
            lines.append(f"{label} {len(items)} 項")
            lines += [f"· {_one(item, zone)}" for item in items[:DIGEST_ITEMS]]
            if len(items) > DIGEST_ITEMS:
                lines.append(f"· ……另有 {len(items) - DIGEST_ITEMS} 項")
        return f"【本週待辦】{data.get('member_name', '')}（{data.get('week', '')}）", lines
    if event == "webhook.test":
        return "【測試】責任制推送", ["這是一條測試訊息：推送地址和簽名設定可用。"]
    scalars = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}
    return f"【通知】{event}", [f"{key}：{value}" for key, value in scalars.items()]


def _fit(text: str) -> str:
    """Cut to the robots' size limit on a character boundary."""
    raw = text.encode()
    if len(raw) <= MAX_BYTES:
        return text
    return raw[:MAX_BYTES - 9].decode(errors="ignore") + "\n……"


def render(fmt: str, payload: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """The JSON body for ``fmt``, before signing (``json``: the recorded event itself)."""
    if fmt == "json":
        return payload
    title, lines = message(payload, zone)
    lines = [*lines, f"— 責任制 · {payload.get('township', '')}"]
    if fmt == "wecom":  # WeCom group robot, message type "markdown"
        content = "\n".join([f"**{title}**", *(f"> {line}" for line in lines)])
        return {"msgtype": "markdown", "markdown": {"content": _fit(content)}}
    if fmt == "dingtalk":  # DingTalk custom robot, message type "markdown"
        text = "\n\n".join([f"#### {title}", *lines])  # a single \n does not break there
        return {"msgtype": "markdown", "markdown": {"title": title, "text": _fit(text)}}
    if fmt == "feishu":  # Feishu custom bot, message type "text"
        return {"msg_type": "text", "content": {"text": _fit("\n".join([title, *lines]))}}
    raise ValueError(f"unknown format {fmt!r}")


def dingtalk_url(url: str, secret: str, now: dt.datetime) -> str:
    """DingTalk's signed URL: ``timestamp`` in milliseconds and ``sign`` =
    urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))."""
    timestamp = str(int(now.timestamp() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    sign = quote_plus(base64.b64encode(digest.digest()).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def feishu_signed(body: dict[str, Any], secret: str, now: dt.datetime) -> dict[str, Any]:
    """Feishu's signed body: ``timestamp`` in seconds and ``sign`` =
    base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))."""
    timestamp = str(int(now.timestamp()))
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return {"timestamp": timestamp, "sign": base64.b64encode(digest).decode(), **body}


def robot_error(fmt: str, answer: bytes) -> str | None:
    """The robots answer HTTP 200 with an error code in the body (a bad signature, a
    keyword missing, a rate limit): that is a failed attempt, not a delivery."""
    if fmt == "json":
        return None
    try:
        found = json.loads(answer or b"{}")
    except ValueError:
        return f"unreadable answer: {answer[:200]!r}"
    if not isinstance(found, dict):
        return None
    code = found.get("errcode", found.get("code", found.get("StatusCode", 0)))
    if code in (0, None):
        return None
    text = found.get("errmsg", found.get("msg", found.get("StatusMessage", "")))
    return f"{fmt} error {code}: {text}"[:500]
