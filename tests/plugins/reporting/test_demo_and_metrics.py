"""The demo township's year of meetings and reports, and the county roll-up numbers."""

from __future__ import annotations

import time_machine

from tests.plugins.reporting.helpers import item
from zerenzhi import parse_period
from zerenzhi.plugins.reporting import plugin
from zerenzhi.plugins.reporting.metrics import METRICS

SETTINGS = {"higher_committee": "上級黨委", "issuing_committee": None}


@time_machine.travel("2026-11-26T10:00:00+08:00", tick=False)
def test_demo_year_shows_fulfilled_late_and_overdue(reported):
    """R1–R3 in the demo: meetings and the H1 report done, one situation reported late,
    a recent one overdue."""
    with reported.scope() as sess:
        plugin.demo_data(session=sess, tenant=None, settings=SETTINGS)
        sess.commit()
        plugin.demo_data(session=sess, tenant=None, settings=SETTINGS)  # skipped: has data
        sess.commit()
        values = {m.key: m.compute(sess, parse_period("2026")) for m in METRICS}
    assert values == {"reporting.reports_submitted": 1, "reporting.meetings_count": 2,
                      "reporting.situations_on_time_rate": round(1 / 3, 4)}
    for period, rule in (("2026H1", "reporting.committee_special_meeting"),
                         ("2026H2", "reporting.committee_special_meeting"),
                         ("2026H1", "reporting.half_year_report"),
                         ("2026", "reporting.assembly_report")):
        assert item(reported, period, rule)["status"] == "fulfilled", (period, rule)
    assert item(reported, "2026H2", "reporting.half_year_report")["status"] == "upcoming"
    listed = reported.client("office").get(f"{reported.base}/reporting/situations").json
    assert [s["status"] for s in listed] == ["overdue", "reported_late", "reported"]
    drafts = reported.client("office").get(
        f"{reported.base}/reporting/half-year-reports?status=draft").json
    assert [d["period"] for d in drafts] == ["2026H2"]


def test_other_modules_link_to_a_situation_by_reference(reported):
    from zerenzhi import describe_reference

    with time_machine.travel("2026-05-01T08:00:00+08:00", tick=False):
        created = reported.client("office").post(f"{reported.base}/reporting/situations",
                                                 json={"title": "重大情況"}).json
        with reported.scope() as sess:
            described = describe_reference(sess, "reporting.situation", created["id"])
            assert describe_reference(sess, "reporting.nothing", created["id"]) is None
    assert (described["title"], described["status"]) == ("重大情況", "awaiting_report")
