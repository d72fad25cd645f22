"""M4 and I4 as the office lives them: once a year every unit is scored from its record of
obligations (the ledger) and the year's inspection, with the township's weights; leaders
may adjust with a reason; the ranked result is finalised, and the township's total goes to
the county."""

from __future__ import annotations

import datetime as dt

import pytest

from zerenzhi import Period
from zerenzhi.plugins.assessment import plugin

CST = dt.timezone(dt.timedelta(hours=8))
DECEMBER = dt.datetime(2026, 12, 20, 10, tzinfo=CST)
RULE = "assessment.annual"
INSPECTION = {"committee": 70, "office": 85, "branch-1": 80, "branch-2": 90, "village-1": 60,
              "station-1": 75}


def evidence(world, rule: str, unit: str, day: str) -> None:
    world.client("secretary").post(f"{world.base}/drill/evidence", json={
        "rule": rule, "unit_id": str(world.units[unit]),
        "occurred_at": f"{day}T10:00:00+08:00"}).assert_status(201)


def score(world, unit: str, value, year: int = 2026, role: str = "office"):
    return world.client(role).put(
        f"{world.base}/assessment/years/{year}/inspection-scores/{world.units[unit]}",
        json={"score": value, "note": "上半年專題督查"})


def annual_item(world) -> dict:
    summary = world.client("office").get(
        f"{world.base}/obligations/summary?period=2026").assert_status(200).json
    return next(i for i in summary["items"] if i["rule"] == RULE
                and i["unit_id"] == str(world.units["office"]))


@pytest.fixture
def december(assessed, time_machine):
    """The year's record: branch-1 studied 12 times, branch-2 six times (W3); the committee
    met in H1 only (R1); the office entered every unit's inspection score (I1)."""
    time_machine.move_to(DECEMBER)
    for month in range(1, 13):
        evidence(assessed, "drill.theory_study", "branch-1", f"2026-{month:02d}-05")
        if month <= 6:
            evidence(assessed, "drill.theory_study", "branch-2", f"2026-{month:02d}-06")
    evidence(assessed, "drill.special_meeting", "committee", "2026-03-10")
    for unit, value in INSPECTION.items():
        score(assessed, unit, value).assert_status(200)
    return assessed


def test_scores_rank_units_by_compliance_inspection_and_weights(december):
    """M4/I4: 60 % compliance from the ledger, 40 % inspection; ranked best first."""
    office = december.client("office")
    url = f"{december.base}/assessment/years/2026"
    assert office.get(url).status_code == 404  # nothing computed yet
    table = office.post(f"{url}/compute", json={}).assert_status(200).json
    assert (table["status"], table["compliance_weight"], table["inspection_weight"]) == (
        "draft", 60, 40)
    lines = {line["unit_code"]: line for line in table["units"]}
    assert (lines["branch-1"]["compliance_rate"], lines["branch-1"]["total"]) == (1.0, 92.0)
    assert (lines["branch-2"]["compliance_rate"], lines["branch-2"]["total"]) == (0.5, 66.0)
    assert (lines["committee"]["obligations"], lines["committee"]["total"]) == (2, 58.0)
    # the office has no obligation but its own assessment: inspection alone decides
    assert (lines["office"]["compliance_rate"], lines["office"]["total"]) == (None, 85.0)
    assert [(line["rank"], line["unit_code"]) for line in table["units"]] == [
        (1, "branch-1"), (2, "office"), (3, "station-1"), (4, "branch-2"), (5, "village-1"),
        (6, "committee")]
    assert table["township_total"] == 72.67 and table["complete"] is True
    assert december.client("viewer").get(url).assert_status(200).json == table
    years = december.client("viewer").get(f"{december.base}/assessment/years").json
    assert [(y["year"], y["status"]) for y in years] == [(2026, "draft")]


def test_ties_share_a_rank_and_units_without_scores_are_unranked(december):
    score(december, "village-1", 75).assert_status(200)
    score(december, "committee", None).assert_status(200)  # cleared
    table = december.client("office").post(
        f"{december.base}/assessment/years/2026/compute", json={}).json
    ranks = {line["unit_code"]: line["rank"] for line in table["units"]}
    assert ranks["station-1"] == ranks["village-1"] == 3 and ranks["branch-2"] == 5
    # the committee keeps its compliance (R1: half the year) as its whole score
    assert ranks["committee"] == 6


def test_finalising_fulfils_the_annual_rule_and_reopening_withdraws_it(december):
    """M4/I4 rule assessment.annual: one finalised assessment of every unit, at the office."""
    office, base = december.client("office"), f"{december.base}/assessment/years/2026"
    assert annual_item(december)["status"] == "due_soon"
    final = office.post(f"{base}/compute", json={"finalise": True}).assert_status(200).json
    assert final["status"] == "final" and final["finalised_at"].startswith("2026-12-20")
    item = annual_item(december)
    assert (item["status"], item["source"], item["responsible_role"]) == (
        "fulfilled", "M4", "office")
    # a final result is frozen
    assert office.post(f"{base}/compute", json={}).status_code == 409
    assert score(december, "branch-1", 99).status_code == 409
    assert december.client("secretary").post(f"{base}/adjustments", json={
        "unit_id": str(december.units["branch-1"]), "points": 1, "reason": "x"}
    ).status_code == 409
    assert office.post(f"{base}/reopen", json={"reason": "x"}).status_code == 403
    secretary = december.client("secretary")
    assert secretary.post(f"{base}/reopen", json={}).status_code == 422
    reopened = secretary.post(f"{base}/reopen", json={"reason": "第二黨支部補報學習記錄"})
    assert reopened.assert_status(200).json["status"] == "draft"
    assert annual_item(december)["status"] == "due_soon"
    assert secretary.post(f"{base}/reopen", json={"reason": "again"}).status_code == 409
    audit = secretary.get(f"{december.base}/audit?target_type=assessment_year").json
    assert any((entry["after"] or {}).get("reopen_reason") == "第二黨支部補報學習記錄"
               for entry in audit)


def test_finalising_needs_a_score_for_every_unit_and_writes_nothing_otherwise(december):
    office, base = december.client("office"), f"{december.base}/assessment/years/2026"
    score(december, "village-1", None).assert_status(200)
    refused = office.post(f"{base}/compute", json={"finalise": True})
    assert refused.status_code == 422 and "village-1" in refused.json["errors"]["json"][
        "finalise"][0]
    assert office.get(base).status_code == 404
    assert annual_item(december)["status"] == "due_soon"


def test_adjustments_need_a_reason_respect_the_caps_and_are_audited(december):
    """M4: leaders adjust with a reason; net +5 / −10 a year by default; every one audited."""
    secretary = december.client("secretary")
    url = f"{december.base}/assessment/years/2026/adjustments"
    branch = str(december.units["branch-2"])
    bonus = secretary.post(url, json={"unit_id": branch, "points": 3,
                                      "reason": "承辦全鎮宣講報告會"}).assert_status(201).json
    for body, field in (
        ({"unit_id": branch, "points": 2.5, "reason": "再加分"}, "points"),  # net 5.5 > 5
        ({"unit_id": branch, "points": -13.5, "reason": "扣分"}, "points"),  # net −10.5
        ({"unit_id": branch, "points": -1, "reason": "   "}, "reason"),
        ({"unit_id": branch, "points": -1}, "reason"),
        ({"unit_id": branch, "points": 0, "reason": "零分"}, "points"),
    ):
        response = secretary.post(url, json=body)
        assert response.status_code == 422 and field in response.json["errors"]["json"], body
    secretary.post(url, json={"unit_id": branch, "points": -13, "reason": "論壇未經審批即舉辦"}
                   ).assert_status(201)
    table = secretary.post(f"{december.base}/assessment/years/2026/compute", json={}).json
    line = next(line for line in table["units"] if line["unit_code"] == "branch-2")
    assert (line["adjustment"], line["total"]) == (-10.0, 56.0)
    audit = secretary.get(f"{december.base}/audit?action=assessment_adjustment.create").json
    assert {entry["after"]["reason"] for entry in audit} == {
        "承辦全鎮宣講報告會", "論壇未經審批即舉辦"}

    item = f"{december.base}/assessment/adjustments/{bonus['id']}"
    etag = secretary.get(item).assert_status(200).headers["ETag"]
    assert december.client("office").delete(item, headers={"If-Match": etag}).status_code == 403
    secretary.delete(item, headers={"If-Match": etag}).assert_status(204)
    assert [a["points"] for a in secretary.get(url).json] == [-13.0]
    assert len(secretary.get(f"{url}?include_archived=true").json) == 2
    table = secretary.post(f"{december.base}/assessment/years/2026/compute", json={}).json
    line = next(line for line in table["units"] if line["unit_code"] == "branch-2")
    assert (line["adjustment"], line["total"]) == (-10.0, 56.0)  # the cap bounds the net


def test_the_township_total_reaches_the_county_once_final(december):
    metric = next(m for m in plugin.register_rollup_metrics())
    assert (metric.key, metric.type) == ("assessment.township_total", "score")
    year = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31), "year", "2026")
    office, base = december.client("office"), f"{december.base}/assessment/years/2026"
    office.post(f"{base}/compute", json={}).assert_status(200)
    with december.scope() as session:
        assert metric.compute(session, year) is None  # a draft is not reported
    office.post(f"{base}/compute", json={"finalise": True}).assert_status(200)
    with december.scope() as session:
        assert metric.compute(session, year) == 72.67


def test_demo_data_is_a_ranked_final_assessment(assessed, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 10, tzinfo=CST))
    with assessed.scope() as session:
        for _ in range(2):  # applied twice: filled once
            plugin.demo_data(session=session, tenant=None, settings={})
        session.commit()
    table = assessed.client("viewer").get(f"{assessed.base}/assessment/years/2026").json
    assert table["status"] == "final" and table["complete"] is True
    assert [line["rank"] for line in table["units"]] == sorted(
        line["rank"] for line in table["units"])
    adjusted = {line["unit_code"]: line["adjustment"] for line in table["units"]}
    assert (adjusted["station-1"], adjusted["village-1"]) == (2.0, -3.0)
    assert annual_item(assessed)["status"] == "fulfilled"
