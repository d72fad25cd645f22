"""A2 (每半年分析研判): a half-year analysis counts for the half-year it covers (``period``),
not the one it was held in; the day it was held stays its fulfilment time, so a late one
shows as late (issue 16, item 1)."""

from __future__ import annotations

from tests.plugins.analysis.helpers import at, half_year, status

RULE = "analysis.half_year"


def _approved(town, held_on: str, **extra) -> dict:
    office, deputy = town.client("office"), town.client("deputy")
    url = f"{town.base}/analysis/analyses"
    created = office.post(url, json=half_year(held_on, **extra)).assert_status(201).json
    return deputy.post(f"{url}/{created['id']}/approval").assert_status(200).json


def test_a2_an_h1_analysis_held_on_3_july_fulfils_h1_late_and_leaves_h2_open(town,
                                                                              time_machine):
    """A2: held on 2026-07-03 for 2026H1, it is H1's analysis, fulfilled late; 2026H2 is
    still owed."""
    time_machine.move_to(at("2026-07-05"))
    office = town.client("office")
    analysis = _approved(town, "2026-07-03", period="2026H1")
    assert (analysis["period"], analysis["held_on"], analysis["counts"]) == (
        "2026H1", "2026-07-03", True)
    first = status(office, town, "2026H1", RULE)
    assert (first["status"], first["done"]) == ("fulfilled", 1)
    assert first["evidence"] == {"type": "analysis_analysis", "id": analysis["id"]}
    assert first["fulfilled_at"].startswith("2026-07-03")  # the real day it was held
    assert first["fulfilled_at"] > first["due_at"]  # late, and shown as late
    second = status(office, town, "2026H2", RULE)
    assert (second["done"], second["status"]) == (0, "upcoming")
    listed = office.get(f"{town.base}/analysis/analyses?period=2026H1").json
    assert [row["id"] for row in listed] == [analysis["id"]]


def test_a2_the_period_defaults_to_the_half_year_of_held_on(town, time_machine):
    """A2: without a period, an analysis held on 3 July covers 2026H2 (as before)."""
    time_machine.move_to(at("2026-07-05"))
    office = town.client("office")
    analysis = _approved(town, "2026-07-03")
    assert analysis["period"] == "2026H2"
    assert status(office, town, "2026H2", RULE)["status"] == "fulfilled"
    assert status(office, town, "2026H1", RULE)["done"] == 0


def test_a2_the_period_is_never_later_than_held_on_nor_before_go_live(town, time_machine):
    """A2: a half-year that had not begun when the analysis was held, or one that ended
    before the township went live (2025-01-01), is refused with the field named; only a
    half-year analysis covers another half-year than its date's."""
    time_machine.move_to(at("2026-07-05"))
    office = town.client("office")
    url = f"{town.base}/analysis/analyses"
    for body in (half_year("2026-06-20", period="2026H2"),
                 half_year("2026-03-01", period="2024H2"),
                 {"kind": "ad_hoc", "title": "返鄉青年", "subject": "返鄉青年",
                  "held_on": "2026-07-03", "period": "2026H1"}):
        refused = office.post(url, json=body).assert_status(422).json
        assert "period" in refused["errors"]["json"], body
    office.post(url, json=half_year("2026-07-03", period="2026h1")).assert_status(422)
    assert status(office, town, "2025H1", RULE)["done"] == 0
    assert office.get(url).json == []


def test_a2_an_explicit_period_stays_when_held_on_is_edited(town, time_machine):
    """A2: correcting held_on keeps a period set apart from it (and the evidence in it);
    moving held_on before that period begins is refused."""
    time_machine.move_to(at("2026-07-10"))
    office = town.client("office")
    one = f"{town.base}/analysis/analyses/{_approved(town, '2026-07-03', period='2026H1')['id']}"
    response = office.get(one)
    moved = office.patch(one, json={"held_on": "2026-07-04"},
                         headers={"If-Match": response.headers["ETag"]}).assert_status(200)
    assert (moved.json["period"], moved.json["held_on"]) == ("2026H1", "2026-07-04")
    first = status(office, town, "2026H1", RULE)
    assert first["status"] == "fulfilled" and first["fulfilled_at"].startswith("2026-07-04")
    refused = office.patch(one, json={"held_on": "2025-12-20"},
                           headers={"If-Match": moved.headers["ETag"]}).assert_status(422)
    assert "period" in refused.json["errors"]["json"]
    # naming the period moves the evidence: the analysis now covers 2026H2
    again = office.patch(one, json={"period": "2026H2"},
                         headers={"If-Match": moved.headers["ETag"]}).assert_status(200)
    assert again.json["period"] == "2026H2"
    assert status(office, town, "2026H1", RULE)["done"] == 0
    assert status(office, town, "2026H2", RULE)["status"] == "fulfilled"
