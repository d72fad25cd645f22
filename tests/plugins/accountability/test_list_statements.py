"""The case list runs a fixed number of SQL statements whatever the page size: each case's
evidence comes for the whole page in one statement, and the page's audit is one row."""

from __future__ import annotations

import datetime as dt

from tests.plugins.platforms.support import statements

RECORDS = 25
# the request's own (token, posts, tenant, plugins), the total, the page, its links, and
# the audit row with the chain's head (and, on PostgreSQL, the chain's lock)
BOUND = 12


def _fill(world) -> None:
    from zerenzhi.plugins.accountability.models import Case, CaseLink

    with world.scope() as sess:
        cases = [Case(title=f"案件 {n}", subject_kind="leadership_group",
                      subject_unit_id=world.units["branch-1"], subject_name="第一黨支部委員會",
                      circumstances=["K1"], facts="未按要求組織開展。",
                      opened_on=dt.date(2026, 1, 1) + dt.timedelta(days=n))
                 for n in range(RECORDS)]
        sess.add_all(cases)
        sess.flush()
        sess.add_all([CaseLink(case_id=case.id, ref_type="inspection.finding",
                               ref_id=f"f-{n}", title="宣傳欄未更新", status="open")
                      for n, case in enumerate(cases)])
        sess.commit()


def test_the_case_list_runs_the_same_statements_for_one_row_and_for_twenty(world):
    _fill(world)
    url = f"{world.base}/accountability/cases"
    one, first = statements(world, "secretary", f"{url}?page_size=1")
    twenty, page = statements(world, "secretary", f"{url}?page_size=20")
    assert (len(first), len(page)) == (1, 20)
    assert [len(case["evidence"]) for case in page] == [1] * 20
    assert one == twenty <= BOUND, (one, twenty)
