"""County roll-ups: the overdue list across townships and the half-yearly trend (R1's
half-yearly rhythm, I1's half-yearly inspection: the county chases what is late)."""

from __future__ import annotations

import time_machine

from tests.rollups.conftest import materialise, record, rollup
from tests.rollups.plugins import MEETING, REPORT, STUDY

NOW = "2026-07-10T09:00:00+08:00"


@time_machine.travel(NOW, tick=False)
def test_every_overdue_obligation_oldest_first(county):
    response = rollup(county.world, "overdue").assert_status(200)
    items = response.json
    assert (items[0]["township"]["slug"], items[0]["rule"]) == (county.a.slug, REPORT)
    assert {(i["township"]["slug"], i["rule"]) for i in items[1:]} == {
        (county.b.slug, MEETING), (county.b.slug, STUDY)}
    first = items[0]
    assert first["days_overdue"] == 37  # due 2 June 10:00, 24 h after the situation (R3)
    assert first["period"] is None  # an event's slot names its trigger: not shown upward
    assert (first["responsible_role"], first["responsible_role_label"]) == ("secretary",
                                                                            "党委书记")
    assert first["unit_name"].endswith("黨委")
    study = next(i for i in items if i["rule"] == STUDY)
    assert (study["period"], study["required"], study["done"], study["days_overdue"]) == (
        "2026H1", 2, 1, 9)
    assert study["unit_name"] == "乙鎮第1支部" and study["source"] == "W3"
    assert '"total": 3' in response.headers["X-Pagination"]


@time_machine.travel(NOW, tick=False)
def test_overdue_filters_and_pages(county):
    world, b = county.world, county.b
    assert {i["rule"] for i in rollup(world, "overdue", township=b.slug).json} == {MEETING,
                                                                                  STUDY}
    assert [i["rule"] for i in rollup(world, "overdue", rule=MEETING).json] == [MEETING]
    assert [i["rule"] for i in rollup(world, "overdue", min_days=10).json] == [REPORT]
    assert rollup(world, "overdue", township=county.other.slug).json == []
    assert rollup(world, "overdue", period="2025H2").json == []
    page1 = rollup(world, "overdue", page_size=2).assert_status(200)
    page2 = rollup(world, "overdue", page_size=2, page=2).json
    assert len(page1.json) == 2 and len(page2) == 1
    ids = {i["obligation_id"] for i in page1.json + page2}
    assert len(ids) == 3
    rollup(world, "overdue", min_days=-1).assert_status(422)


@time_machine.travel(NOW, tick=False)
def test_each_filtered_total_counts_its_own_list(county):
    """The total is summed from the stored counts, the items from obligations: with every
    filter they must agree (one township, one rule, days overdue, a period, none)."""
    world = county.world
    record(county.b, STUDY, "branch-1", "2026-06-30")  # moves a count: the total follows
    for filters in ({}, {"township": county.b.slug}, {"rule": MEETING}, {"min_days": 10},
                    {"min_days": 38}, {"period": "2026H1"}, {"period": "2025H2"},
                    {"township": county.a.slug, "rule": REPORT}):
        response = rollup(world, "overdue", page_size=100, **filters).assert_status(200)
        assert f'"total": {len(response.json)}' in response.headers["X-Pagination"], filters


@time_machine.travel(NOW, tick=False)
def test_fulfilling_late_takes_it_off_the_list(county):
    record(county.b, STUDY, "branch-1", "2026-06-30")
    assert {i["rule"] for i in rollup(county.world, "overdue", township=county.b.slug).json} \
        == {MEETING}


@time_machine.travel(NOW, tick=False)
def test_trend_per_township_and_overall(county):
    """Each half-year as ``compliance`` of that half-year would count it."""
    world, a = county.world, county.a
    materialise(a, "2025H2")
    record(a, MEETING, "committee", "2025-09-01")
    result = rollup(world, "trend", **{"from": "2025H1", "to": "2026H2"}).assert_status(200).json
    assert result["periods"] == ["2025H1", "2025H2", "2026H1", "2026H2"]
    row = next(r for r in result["townships"] if r["township"]["slug"] == a.slug)
    points = {p["period"]: p for p in row["points"]}
    assert points["2025H1"]["rate"] is None
    # meeting + two branches' study + hello's quarterly greetings (2 branches × 2 quarters)
    assert (points["2025H2"]["required"], points["2025H2"]["done"]) == (7, 1)
    h1 = rollup(world, "compliance", period="2026H1").json
    overall = {p["period"]: p for p in result["overall"]}
    assert {k: overall["2026H1"][k] for k in h1["totals"]} == h1["totals"]
    h2 = rollup(world, "compliance", period="2026H2").json  # owed from enabling, not reads
    assert overall["2026H2"]["required"] == h2["totals"]["required"] > 0


@time_machine.travel(NOW, tick=False)
def test_trend_defaults_and_bounds(county):
    world = county.world
    default = rollup(world, "trend").assert_status(200).json
    assert default["periods"] == ["2025H1", "2025H2", "2026H1", "2026H2"]
    assert rollup(world, "trend", to="2026H1").json["periods"][0] == "2024H2"
    rollup(world, "trend", **{"from": "2026H2", "to": "2026H1"}).assert_status(422)
    rollup(world, "trend", **{"from": "2000H1", "to": "2026H1"}).assert_status(422)
    rollup(world, "trend", **{"from": "2000H1"}).assert_status(422)
    rollup(world, "trend", **{"from": "2026"}).assert_status(422)
