"""Small helpers for the study tests: a session body, reading the summary, counting SQL."""

from __future__ import annotations

from zerenzhi.testing import statements


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




def statements_per_page(world, url: str, role: str = "office") -> dict[int, int]:
    """Statements a list request runs for a page of 1 and a page of 20 (after one request
    that warms whatever is cached per process)."""
    client = world.client(role)
    client.get(url).assert_status(200)
    counts = {}
    for size in (1, 20):
        with statements(world.app) as seen:
            page = client.get(f"{url}?page_size={size}").assert_status(200).json
        assert len(page) == size, url
        counts[size] = len(seen)
    return counts
