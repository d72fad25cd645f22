"""A list costs a fixed number of SQL statements whatever its page size: what each item
shows (attendance, counts, the rules it counts toward) is computed for the whole page."""

from __future__ import annotations

import datetime as dt

from tests.plugins.study.helpers import statements_per_page
from zerenzhi.plugins.study import plans, services
from zerenzhi.plugins.study.settings import StudySettings

RECORDS = 30
# Six for any request to the module (token, posts, enabled modules, its settings, the
# tenant), then the page with its count, the page's attendance and its units' kinds: 9.
BOUND = 10


def test_each_list_runs_the_same_statements_for_a_page_of_1_and_of_20(studied):
    settings = StudySettings().load({})
    attendance = [
        {"member_id": studied.users["branch_secretary"], "present": True},
        {"member_id": studied.users["member"], "present": False, "absence_reason": "外出"}]
    with studied.scope() as sess:
        for n in range(RECORDS):
            in_branch = n % 3 != 0  # units of two kinds on one page
            services.record_meeting(sess, {
                "unit_id": studied.units["branch-1" if in_branch else "village-1"],
                "held_on": dt.date(2026, 1, 1) + dt.timedelta(days=n), "kind": "centralised",
                "title": f"學習 {n}", "ideology": n % 2 == 0,
                "attendance": attendance if in_branch else []}, settings)
            plans.create_plan(sess, {"unit_id": studied.units["branch-1"], "year": 2000 + n,
                                     "title": f"計劃 {n}", "items": []})
        sess.commit()
    for path in ("study/sessions", "study/plans"):
        counts = statements_per_page(studied, f"{studied.base}/{path}")
        assert counts[1] == counts[20] <= BOUND, (path, counts)
