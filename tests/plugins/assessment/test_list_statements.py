"""Every assessment list runs a fixed number of SQL statements whatever the page size: a
row shows only its own columns, so dumping a page never queries."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.plugins.analysis.helpers import statements

RECORDS = 25
BOUND = 8  # auth, tenant, plugin and the page with its total; none per row
YEAR = 2025


def _fill(world) -> None:
    """25 assessed years; in 2025, 25 units with an inspection score and 25 adjustments."""
    from zerenzhi import OrgUnit
    from zerenzhi.plugins.assessment.models import Adjustment, Assessment, InspectionScore

    moment = dt.datetime(2025, 12, 20, 2, tzinfo=dt.UTC)
    with world.scope() as sess:
        extra = [OrgUnit(code=f"village-x{n}", name=f"村 {n}", kind="village",
                         parent_id=world.units["committee"]) for n in range(RECORDS)]
        sess.add_all(extra)
        sess.add_all([Assessment(year=YEAR - n, compliance_weight=60, inspection_weight=40,
                                 computed_at=moment) for n in range(RECORDS)])
        sess.flush()
        sess.add_all([InspectionScore(year=YEAR, unit_id=unit.id, score=80.0 + n % 10)
                      for n, unit in enumerate(extra)])
        sess.add_all([Adjustment(year=YEAR, unit_id=extra[n].id, points=1.0,
                                 reason=f"通報表揚 {n}") for n in range(RECORDS)])
        sess.commit()


@pytest.mark.parametrize("path", [
    "years", f"years/{YEAR}/inspection-scores", f"years/{YEAR}/adjustments"])
def test_a_list_runs_the_same_statements_for_one_row_and_for_twenty(assessed, path):
    _fill(assessed)
    url = f"{assessed.base}/assessment/{path}"
    one, first = statements(assessed, "secretary", f"{url}?page_size=1")
    twenty, page = statements(assessed, "secretary", f"{url}?page_size=20")
    assert (len(first), len(page)) == (1, 20)
    assert one == twenty <= BOUND, (one, twenty)
