"""The applications list runs a fixed number of SQL statements whatever the page size: a
row shows only its own columns (labels are rendered from its codes), so dumping a page
never queries."""

from __future__ import annotations

import datetime as dt

from tests.plugins.analysis.helpers import statements

RECORDS = 25
BOUND = 8  # auth, tenant, plugin and the page with its total; none per row


def _fill(world) -> None:
    from zerenzhi.plugins.approvals.models import Application

    start = dt.datetime(2026, 6, 1, 1, tzinfo=dt.UTC)
    with world.scope() as sess:
        sess.add_all([Application(
            kind="lecture", organiser_unit_id=world.units["station-1"],
            responsible_person="田站長", title=f"宣講報告會 {n}",
            starts_at=start + dt.timedelta(days=n), ends_at=start + dt.timedelta(days=n, hours=2),
            venue="綜合文化站", summary="專題宣講", expected_participants=100)
            for n in range(RECORDS)])
        sess.commit()


def test_the_list_runs_the_same_statements_for_one_row_and_for_twenty(approvals):
    _fill(approvals)
    url = f"{approvals.base}/approvals/applications"
    one, first = statements(approvals, "secretary", f"{url}?page_size=1")
    twenty, page = statements(approvals, "secretary", f"{url}?page_size=20")
    assert (len(first), len(page)) == (1, 20)
    assert one == twenty <= BOUND, (one, twenty)
