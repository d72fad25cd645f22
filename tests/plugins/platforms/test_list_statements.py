"""Every platforms list runs a fixed number of SQL statements whatever the page size:
what a row shows is on the row (labels are rendered from codes, the report state from
the incident's own columns), so dumping a page never queries."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.plugins.platforms.support import statements

RECORDS = 25
BOUND = 8  # the request's own (token, posts, tenant, plugins), the parent, the page and total


def _fill(world) -> dict[str, str]:
    from zerenzhi.plugins.platforms.models import (
        Channel,
        Filing,
        Incident,
        Review,
        TimelineEntry,
    )

    unit, member = world.units["village-1"], world.users["unit_head"]
    day = dt.date(2026, 2, 1)
    moment = dt.datetime(2026, 2, 1, 1, tzinfo=dt.UTC)
    with world.scope() as sess:
        channels = [Channel(unit_id=unit, kind="bulletin_board", name=f"宣傳欄 {n}",
                            account=f"board-{n}", responsible_member_id=member,
                            status="active", status_since=day, opened_on=day)
                    for n in range(RECORDS)]
        incidents = [Incident(unit_id=unit, title=f"事件 {n}", category="opinion",
                              severity="minor", description="x",
                              detected_at=moment + dt.timedelta(hours=n),
                              recorded_at=moment + dt.timedelta(hours=n))
                     for n in range(RECORDS)]
        sess.add_all(channels + incidents)
        sess.flush()
        sess.add_all([Filing(channel_id=channels[0].id, action="change", filed_on=day,
                             reference=f"網信備〔2026〕{n}號") for n in range(RECORDS)])
        sess.add_all([Review(channel_id=channel.id, unit_id=unit, reviewed_on=day,
                             quarter="2026Q1", update_frequency="monthly",
                             content_checked="欄內張貼的宣傳材料") for channel in channels])
        sess.add_all([TimelineEntry(incident_id=incidents[0].id, kind="handling",
                                    at=moment + dt.timedelta(minutes=n), actor="鎮黨委",
                                    action="處置") for n in range(RECORDS)])
        sess.commit()
        return {"channel": str(channels[0].id), "incident": str(incidents[0].id)}


@pytest.mark.parametrize("path", [
    "channels", "channels/{channel}/filings", "reviews", "incidents",
    "incidents/{incident}/timeline"])
def test_a_list_runs_the_same_statements_for_one_row_and_for_twenty(world, path):
    url = f"{world.base}/platforms/{path.format(**_fill(world))}"
    one, first = statements(world, "secretary", f"{url}?page_size=1")
    twenty, page = statements(world, "secretary", f"{url}?page_size=20")
    assert (len(first), len(page)) == (1, 20)
    assert one == twenty <= BOUND, (one, twenty)
