"""The demo township's cases and the county roll-up count (a count only)."""

from __future__ import annotations

import time_machine

from tests.plugins.accountability.support import open_case, step

NOW = "2026-11-26T10:00:00+08:00"


def _cases_open(world, period: str) -> int:
    from zerenzhi import parse_period

    metric = world.app.extensions["zerenzhi"].metrics["accountability.cases_open"][1]
    with world.scope() as sess:
        return metric.compute(sess, parse_period(period))


@time_machine.travel(NOW, tick=False)
def test_cases_open_counts_cases_not_closed_by_the_periods_end(world):
    first, second = open_case(world), open_case(world)
    step(world, second["id"], "investigation").assert_status(200)
    step(world, second["id"], "closure", {"note": "查無責任"}).assert_status(200)
    assert _cases_open(world, "2026") == 1
    assert _cases_open(world, "2026Q3") == 0  # opened in Q4
    assert first["status"] == "opened"


@time_machine.travel(NOW, tick=False)
def test_demo_has_a_referred_case_with_a_combined_sanction_citing_an_overdue_review(world):
    """The manifest's demo_after runs platforms' demo first, whose gap the case cites."""
    from zerenzhi.plugin_host.service import load_demo_data

    with world.scope() as sess:
        load_demo_data(sess)
        sess.commit()
        load_demo_data(sess)  # a second apply adds nothing
        sess.commit()
    cases = world.client("secretary").get(f"{world.base}/accountability/cases").json
    assert sorted(c["status"] for c in cases) == ["investigating", "referred"]
    referred = next(c for c in cases if c["status"] == "referred")
    assert referred["sanctions"] == ["written_self_criticism", "admonishment_talk"]
    assert referred["referred_to"] == "區紀委"
    [cited] = referred["evidence"]
    assert cited["ref_type"] == "obligation" and cited["status"] == "overdue"
    alerts = world.client("secretary").get(f"{world.base}/accountability/alerts").json
    flagged = next(a for a in alerts["items"] if a["obligation_id"] == cited["ref_id"])
    assert flagged["cited_by"] == [referred["id"]] and flagged["period"] == "2026Q2"
    assert _cases_open(world, "2026") == 2
