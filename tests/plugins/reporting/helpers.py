"""Helpers for the reporting tests."""

from __future__ import annotations


def item(world, period: str, rule: str, client=None) -> dict:
    """The committee's obligation of ``rule`` in ``period`` (all of this module's are)."""
    client = client or world.client("secretary")
    summary = client.get(f"{world.base}/obligations/summary?period={period}").assert_status(200)
    unit_id = str(world.units["committee"])
    return next(i for i in summary.json["items"] if i["rule"] == rule and i["unit_id"] == unit_id)


def patch(client, url: str, changes: dict):
    etag = client.get(url).assert_status(200).headers["ETag"]
    return client.patch(url, json=changes, headers={"If-Match": etag})


def archive(client, url: str):
    etag = client.get(url).assert_status(200).headers["ETag"]
    return client.delete(url, headers={"If-Match": etag})
