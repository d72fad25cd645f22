"""Helpers for the platforms tests: bodies, calls and the obligations summary."""

from __future__ import annotations

from zerenzhi.testing import statements_of


def at(day: str, time: str = "10:00") -> str:
    """An ISO moment in the township's time zone (Asia/Shanghai)."""
    return f"{day}T{time}:00+08:00"


def filing(day: str = "2026-01-05", reference: str = "網信備〔2026〕1號") -> dict:
    return {"filed_on": day, "reference": reference, "filed_with": "縣委網信辦"}


def channel_body(world, unit: str = "village-1", kind: str = "village_broadcast",
                 account: str | None = None, member: str = "unit_head", **extra) -> dict:
    return {"unit_id": str(world.units[unit]), "kind": kind, "name": f"{unit} {kind}",
            "account": account or f"{unit}-{kind}",
            "responsible_member_id": str(world.users[member]), "opened_on": "2025-06-01",
            "filing": filing(), **extra}


def register(world, client="office", **kwargs) -> dict:
    return world.client(client).post(f"{world.base}/platforms/channels",
                                     json=channel_body(world, **kwargs)).assert_status(201).json


def review(world, channel_id: str, day: str, client="office", **extra) -> dict:
    body = {"reviewed_on": day, "update_frequency": "daily",
            "content_checked": "播出節目單和播前審核登記", **extra}
    return world.client(client).post(f"{world.base}/platforms/channels/{channel_id}/reviews",
                                     json=body).assert_status(201).json


def summary_item(world, period: str, rule: str, unit: str) -> dict:
    summary = world.client("secretary").get(
        f"{world.base}/obligations/summary?period={period}").assert_status(200).json
    return next(i for i in summary["items"] if i["rule"] == rule
                and i["unit_id"] == str(world.units[unit]) and
                (i["period"] == period or i["period"] is None))


statements = statements_of  # the kit's: (statements, body) of a GET after a warm-up
