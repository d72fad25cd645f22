"""Helpers for the reporting tests."""

from __future__ import annotations

from zerenzhi.testing import statements


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




def statements_for(world, url: str, items: int, role: str = "office") -> int:
    """Statements a list request runs (after one request that warms what is cached per
    process), checking that the list holds ``items`` items."""
    client = world.client(role)
    client.get(url).assert_status(200)
    with statements(world.app) as seen:
        assert len(client.get(url).assert_status(200).json) == items, url
    return len(seen)
