"""Shared steps of the responsibility, local-date and filter tests."""

from __future__ import annotations

import datetime as dt

from zerenzhi.obligations import materialize
from zerenzhi.obligations.periods import Period


def materialised(world, since: dt.date = dt.date(2026, 1, 1),
                 until: dt.date = dt.date(2027, 6, 30)) -> None:
    """The township's periods from ``since`` through ``until``, made explicitly (these
    tests do not rely on a read creating them), under the test's clock."""
    with world.scope() as sess:
        window = getattr(materialize, "ensure_periodic", None)
        if window is not None:
            window(sess, Period(since, until, "window", "window"))
        else:
            materialize.materialise(sess, since=since)
        sess.commit()


def calendar(world, query: str = "", role: str = "secretary"):
    return world.client(role).get(f"{world.base}/calendar?{query}")
