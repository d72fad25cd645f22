"""Evidence counts for the period it proves (issue 16, item 1): a year's assessment (M4, I4)
is finalised once the year is over, so it fulfils the year it assesses."""

from __future__ import annotations

import datetime as dt

from tests.plugins.assessment.test_assessment import INSPECTION, RULE, score

CST = dt.timezone(dt.timedelta(hours=8))


def annual(world, period: str) -> dict:
    summary = world.client("office").get(
        f"{world.base}/obligations/summary?period={period}").assert_status(200).json
    return next(i for i in summary["items"] if i["rule"] == RULE
                and i["unit_id"] == str(world.units["office"]))


def test_m4_i4_an_assessment_finalised_in_january_fulfils_the_year_it_assesses(
        assessed, time_machine):
    """M4/I4: 2026's assessment finalised on 15 January 2027 fulfils 2026 (late: the moment
    shows) and leaves 2027 open."""
    time_machine.move_to(dt.datetime(2027, 1, 15, 10, tzinfo=CST))
    for unit, value in INSPECTION.items():
        score(assessed, unit, value).assert_status(200)
    office, base = assessed.client("office"), f"{assessed.base}/assessment/years/2026"
    office.post(f"{base}/compute", json={"finalise": True}).assert_status(200)
    year = annual(assessed, "2026")
    assert (year["status"], year["source"], year["done"]) == ("fulfilled", "M4", 1)
    assert year["fulfilled_at"].startswith("2027-01-15")
    following = annual(assessed, "2027")
    assert (following["done"], following["status"]) == (0, "upcoming")
    assessed.client("secretary").post(f"{base}/reopen", json={"reason": "補錄督查得分"}
                                      ).assert_status(200)
    assert annual(assessed, "2026")["done"] == 0


def test_m4_i4_the_yearly_cadence_is_not_in_the_text_and_says_so(assessed):
    """M4/I4 say the work is assessed (考覈), not how often: yearly is a default."""
    rules = assessed.client("office").get(f"{assessed.base}/rules").assert_status(200).json
    annual_rule = next(rule for rule in rules if rule["key"] == RULE)
    assert (annual_rule["cadence"], annual_rule["defaults_not_in_text"]) == (
        "year", ["cadence"])
