"""County roll-up: the townships × rules matrix (W1, R1, M4: the county checks that its
townships carry out the responsibility system)."""

from __future__ import annotations

import time_machine

from tests.rollups.conftest import materialise, rollup
from tests.rollups.plugins import MEETING, REPORT, STUDY

NOW = "2026-07-10T09:00:00+08:00"  # 2026H1 ended on 30 June: what was missed is overdue


def _row(result, town):
    return next(r for r in result["townships"] if r["township"]["slug"] == town.slug)


def _cell(row, rule):
    return next(c for c in row["cells"] if c["rule"] == rule)


@time_machine.travel(NOW, tick=False)
def test_matrix_counts_each_township_and_rule(county):
    """R1 and W3 per township: required, done, overdue, waived and rate in each cell."""
    result = rollup(county.world, "compliance", period="2026H1").assert_status(200).json
    assert result["period"] == "2026H1"
    assert [r["township"]["slug"] for r in result["townships"]] == sorted(
        t.slug for t in (county.a, county.b, county.c))
    a, b, c = (_row(result, t) for t in (county.a, county.b, county.c))
    assert _cell(a, MEETING) == {"rule": MEETING, "required": 1, "done": 1, "overdue": 0,
                                      "waived": 0, "rate": 1.0}
    assert (_cell(a, STUDY)["required"], _cell(a, STUDY)["waived"]) == (1, 1)
    assert _cell(a, REPORT)["overdue"] == 1  # the unreported major situation (R3)
    assert (a["required"], a["done"], a["overdue"], a["waived"], a["rate"]) == (3, 2, 1, 1,
                                                                                 0.6667)
    assert (b["required"], b["done"], b["overdue"], b["rate"]) == (3, 1, 2, 0.3333)
    assert (c["required"], c["rate"], c["cells"]) == (0, None, [])  # no data is not 100 %


@time_machine.travel(NOW, tick=False)
def test_totals_per_rule_and_for_the_county(county):
    result = rollup(county.world, "compliance", period="2026H1").json
    rules = {r["rule"]: r for r in result["rules"]}
    assert set(rules) == {MEETING, STUDY, REPORT}
    assert (rules[MEETING]["required"], rules[MEETING]["done"], rules[MEETING]["rate"]) == (
        2, 1, 0.5)
    assert (rules[STUDY]["required"], rules[STUDY]["waived"], rules[STUDY]["overdue"]) == (
        3, 1, 1)
    assert (rules[MEETING]["source"], rules[MEETING]["title"]) == ("R1", "专题会议")
    assert result["totals"] == {"required": 6, "done": 3, "overdue": 3, "waived": 1,
                                "rate": 0.5}


@time_machine.travel(NOW, tick=False)
def test_sorting_puts_the_worst_first_and_unrated_last(county):
    world, a, b, c = county.world, county.a, county.b, county.c

    def order(**params):
        result = rollup(world, "compliance", period="2026H1", **params).assert_status(200).json
        return [r["township"]["slug"] for r in result["townships"]]

    assert order(sort="rate") == [b.slug, a.slug, c.slug]
    assert order(sort="rate", order="desc") == [a.slug, b.slug, c.slug]
    assert order(sort="overdue", order="desc") == [b.slug, a.slug, c.slug]
    assert order(sort="township", order="desc") == sorted([a.slug, b.slug, c.slug],
                                                          reverse=True)
    rollup(world, "compliance", sort="name").assert_status(422)
    rollup(world, "compliance", period="2026H3").assert_status(422)


@time_machine.travel(NOW, tick=False)
def test_a_county_read_creates_nothing_a_township_read_does(county):
    """Roll-ups read what exists; C's obligations appear once C (or the nightly job) reads."""
    world, c = county.world, county.c
    assert _row(rollup(world, "compliance", period="2026H1").json, c)["required"] == 0
    assert _row(rollup(world, "compliance", period="2026H1").json, c)["required"] == 0
    materialise(c, "2026H1")
    row = _row(rollup(world, "compliance", period="2026H1").json, c)
    assert (row["required"], row["overdue"], row["rate"]) == (2, 2, 0.0)


@time_machine.travel(NOW, tick=False)
def test_the_matrix_agrees_with_each_township_dashboard(county):
    """The county counts exactly what the township's own summary counts."""
    world = county.world
    own = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2026H1").assert_status(200).json
    row = _row(rollup(world, "compliance", period="2026H1").json, county.a)
    counted = [i for i in own["items"] if i["status"] != "waived"]
    assert row["required"] == len(counted)
    assert row["done"] == own["fulfilled"]
    assert row["rate"] == own["compliance_rate"]
    assert row["overdue"] == len(own["overdue"])


@time_machine.travel(NOW, tick=False)
def test_default_period_is_the_current_half_year(county):
    result = rollup(county.world, "compliance").assert_status(200).json
    assert result["period"] == "2026H2"
    # owed since the modules were enabled, though nobody has read a page of 2026H2
    assert result["totals"]["required"] > 0 and result["totals"]["done"] == 0
