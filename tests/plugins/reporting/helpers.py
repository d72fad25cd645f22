"""Helpers for the reporting tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


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


@contextmanager
def statements(app) -> Iterator[list[str]]:
    """The SQL statements sent inside the block, counted at the cursor (each a round trip)."""
    seen: list[str] = []
    engine = app.extensions["zerenzhi"].db.engine

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def statements_for(world, url: str, items: int, role: str = "office") -> int:
    """Statements a list request runs (after one request that warms what is cached per
    process), checking that the list holds ``items`` items."""
    client = world.client(role)
    client.get(url).assert_status(200)
    with statements(world.app) as seen:
        assert len(client.get(url).assert_status(200).json) == items, url
    return len(seen)
