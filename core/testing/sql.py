"""Counting what a request sends to the database: the measure behind "a list runs a fixed
number of statements whatever its page size" (a per-row query while dumping shows as one
statement per row), for core's tests and a plugin's alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def statements(app) -> Iterator[list[str]]:
    """The SQL statements sent on the app's engine inside the block, counted at the cursor
    (each one a round trip: lazy loads and audit writes included)."""
    engine = app.extensions["zerenzhi"].db.engine
    seen: list[str] = []

    def note(_conn, _cursor, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def statements_of(world, role: str, url: str) -> tuple[int, Any]:
    """(statements, JSON body) of ``GET url`` as ``role``, after one warm-up request (a
    first request fills per-process caches: token, settings), asserting a 200."""
    client = world.client(role)
    client.get(url).assert_status(200)
    with statements(world.app) as seen:
        body = client.get(url).assert_status(200).json
    return len(seen), body
