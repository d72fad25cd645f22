"""A list costs a fixed number of SQL statements whatever its size: a situation's status,
first report and reports are computed for the whole page, and reports know their lateness
without looking their situation up again."""

from __future__ import annotations

import datetime as dt

from tests.plugins.reporting.helpers import statements_for
from zerenzhi.plugins.reporting import services, situations

RECORDS = 30
SETTINGS = {"higher_committee": "上級黨委", "issuing_committee": None}
# Six for any request to the module (token, posts, enabled modules, its settings, the
# tenant), then the page with its count (7), and for situations the page's reports (8); a
# situation's reports: the situation, then its reports (8).
BOUND = 9
REPORT = {"content": "已核實處置。", "proposals": "建議加強隊伍建設。"}


def test_each_list_runs_the_same_statements_for_a_page_of_1_and_of_20(reported):
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=RECORDS + 1)
    with reported.scope() as sess:
        for n in range(RECORDS):
            day = dt.date(2026, 1, 1) + dt.timedelta(days=n)
            services.record_meeting(sess, {"held_on": day, "title": f"專題會議 {n}"})
            services.create_half_year(sess, {"period": f"{2000 + n}H1"}, SETTINGS)
            services.record_assembly(sess, {"delivered_on": day, "title": f"報告 {n}",
                                            "sections": [{"heading": "意識形態", "body": "",
                                                          "ideology": n % 2 == 0}]})
            situation = situations.record_situation(sess, {
                "title": f"重大情況 {n}", "occurred_at": start + dt.timedelta(days=n)})
            for hours in range(n % 3):  # none, one or two reports, some of them late
                situations.record_report(sess, situation, {
                    **REPORT, "reported_at": situation.occurred_at + dt.timedelta(
                        hours=20 + 10 * hours)}, SETTINGS)
        sess.commit()
    for path in ("meetings", "half-year-reports", "assembly-reports", "situations"):
        url = f"{reported.base}/reporting/{path}"
        counts = [statements_for(reported, f"{url}?page_size={size}", size)
                  for size in (1, 20)]
        assert counts[0] == counts[1] <= BOUND, (path, counts)


def test_a_situations_reports_cost_the_same_however_many_there_are(reported):
    with reported.scope() as sess:
        made = []
        for count in (1, 20):
            situation = situations.record_situation(sess, {"title": f"{count} 份報告"})
            for _ in range(count):
                situations.record_report(sess, situation, REPORT, SETTINGS)
            made.append((situation.id, count))
        sess.commit()
    counts = [statements_for(reported, f"{reported.base}/reporting/situations/{id_}/reports",
                             count) for id_, count in made]
    assert counts[0] == counts[1] <= BOUND, counts
