"""Small helpers for the study tests: a session body and reading the summary."""

from __future__ import annotations


def body(world, unit: str = "branch-1", day: str = "2026-03-12", kind: str = "centralised",
         **extra) -> dict:
    return {"unit_id": str(world.units[unit]), "held_on": day, "kind": kind,
            "title": f"理論學習 {day}", **extra}


def item(world, period: str, rule: str, unit: str, client=None) -> dict:
    client = client or world.client("secretary")
    summary = client.get(f"{world.base}/obligations/summary?period={period}").assert_status(200)
    unit_id = str(world.units[unit])
    return next(i for i in summary.json["items"] if i["rule"] == rule and i["unit_id"] == unit_id)


def done(world, period: str, rule: str, unit: str) -> int:
    return item(world, period, rule, unit)["done"]


def patch(client, url: str, changes: dict):
    """PATCH with the record's current ETag, as a careful client does."""
    etag = client.get(url).assert_status(200).headers["ETag"]
    return client.patch(url, json=changes, headers={"If-Match": etag})


def archive(client, url: str):
    etag = client.get(url).assert_status(200).headers["ETag"]
    return client.delete(url, headers={"If-Match": etag})
