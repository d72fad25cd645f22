"""Every analysis list runs a fixed number of SQL statements whatever the page size: what a
row shows beside its columns (an analysis's sections and missing domains, a date's
obligation and linked analyses) is computed by the service for the whole page at once, so
dumping a page never queries."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.plugins.analysis.helpers import DOMAINS, at, body, half_year, statements

RECORDS = 25
# The request's own (token, posts, plugins, settings, tenant) and the page with its total are
# 7; then the analyses' sections (1), the analysis of a per-analysis list (2), and for the
# calendar its county (1; its dates and the copies too where it has any) and the page's
# linked analyses and obligations (2): 11, 12 with county dates; none per row.
BOUND = 12


def _fill(world) -> str:
    """25 half-year analyses with sections (one with 25 contributions) and 25 sensitive
    dates, each with its obligation and a linked forward-looking analysis."""
    office = world.client("office")
    analyses, dates = f"{world.base}/analysis/analyses", f"{world.base}/analysis/sensitive-dates"
    first = None
    for n in range(RECORDS):
        record = office.post(analyses, json=half_year(f"2026-05-{n + 1:02d}", DOMAINS[:n % 6]))
        first = first or record.assert_status(201).json["id"]
        date = office.post(dates, json={"falls_on": f"2026-07-{n + 1:02d}", "title": f"節點 {n}"})
        office.post(analyses, json={
            "kind": "forward_looking", "title": f"前瞻研判 {n}", "held_on": "2026-06-20",
            "sensitive_date_id": date.assert_status(201).json["id"]}).assert_status(201)
    for n in range(RECORDS):
        office.post(f"{analyses}/{first}/contributions", json={
            "unit_id": str(world.units["village-1"]),
            "due_on": (dt.date(2026, 5, 1) + dt.timedelta(days=n)).isoformat()}
        ).assert_status(201)
    office.put(f"{analyses}/{first}/sections/theory", json=body("theory")).assert_status(200)
    return first


@pytest.mark.parametrize("path", [
    "analyses", "sensitive-dates", "contributions", "analyses/{first}/contributions"])
def test_a_list_runs_the_same_statements_for_one_row_and_for_twenty(town, time_machine, path):
    time_machine.move_to(at("2026-06-01"))
    url = f"{town.base}/analysis/{path.format(first=_fill(town))}"
    one, first = statements(town, "secretary", f"{url}?page_size=1")
    twenty, page = statements(town, "secretary", f"{url}?page_size=20")
    assert (len(first), len(page)) == (1, 20)
    assert one == twenty <= BOUND, (one, twenty)
