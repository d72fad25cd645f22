"""Builders for the inspection stories."""

from __future__ import annotations

import datetime as dt

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=TZ)


def local_day(stamp: str) -> dt.date:
    return dt.datetime.fromisoformat(stamp).astimezone(TZ).date()


def campaign(client, world, started_on: str = "2026-05-01") -> dict:
    return client.post(f"{world.base}/inspection/campaigns", json={
        "title": "2026年上半年意識形態工作專題督查", "started_on": started_on,
        "plan": "全面自查與重點檢查相結合"}).assert_status(201).json


def all_yes(client, world) -> dict:
    items = client.get(f"{world.base}/inspection/checklist").assert_status(200).json
    return {item["key"]: "yes" for item in items}


def summary_item(client, world, period: str, rule: str, unit: str) -> dict | None:
    summary = client.get(f"{world.base}/obligations/summary?period={period}").assert_status(200)
    return next((i for i in summary.json["items"]
                 if i["rule"] == rule and i["unit_id"] == str(world.units[unit])), None)
