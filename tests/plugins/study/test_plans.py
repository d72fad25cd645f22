"""Study plans per unit and year, and their progress against W2/W3."""

from __future__ import annotations

import time_machine

from tests.plugins.study.helpers import archive, body, patch


def _plan(world, unit="branch-1", year=2026) -> dict:
    return {"unit_id": str(world.units[unit]), "year": year, "items": [
        {"planned_on": f"{year}-{month:02d}-10", "topic": f"第{month}次集中學習",
         "ideology": month in (4, 10)} for month in range(1, 13)]}


@time_machine.travel("2026-06-20T10:00:00+08:00", tick=False)
def test_plan_progress_shows_planned_against_held_and_the_rules(studied):
    """W3: by June the branch planned 6 sessions to date, held 4 as planned; the W3
    obligation shows 4 of 12 done."""
    client = studied.client("branch_secretary")
    plan = client.post(f"{studied.base}/study/plans", json=_plan(studied)).assert_status(201).json
    assert plan["title"] == "2026年度理論學習計劃" and len(plan["items"]) == 12
    for month in (1, 2, 4, 6):
        client.post(f"{studied.base}/study/sessions", json=body(
            studied, day=f"2026-{month:02d}-12", ideology=month == 4)).assert_status(201)
    progress = client.get(f"{studied.base}/study/plans/{plan['id']}/progress").assert_status(
        200).json
    assert (progress["planned"], progress["planned_to_date"], progress["held_as_planned"]) == (
        12, 6, 4)
    statuses = [i["status"] for i in progress["items"]]
    assert statuses[:6] == ["held", "held", "missed", "held", "missed", "held"]
    assert set(statuses[6:]) == {"upcoming"}
    assert progress["held"] == {"centralised": 4, "special_study": 0, "training": 0,
                                "ideology": 1}
    theory = next(o for o in progress["obligations"] if o["rule"] == "study.branch_theory_study")
    assert (theory["required"], theory["done"], theory["source"]) == (12, 4, "W3")
    assert progress["targets"]["theory_studies_per_year"] == 12


def test_one_live_plan_per_unit_and_year_and_items_in_that_year(studied):
    office = studied.client("office")
    url = f"{studied.base}/study/plans"
    created = office.post(url, json=_plan(studied)).assert_status(201).json
    assert office.post(url, json=_plan(studied)).status_code == 409
    bad = _plan(studied)
    bad["items"][0]["planned_on"] = "2027-01-10"
    response = office.post(url, json={**bad, "year": 2026, "unit_id": str(
        studied.units["branch-2"])})
    assert response.status_code == 422 and "items.0.planned_on" in response.json["errors"]["json"]
    item_url = f"{url}/{created['id']}"
    assert patch(office, item_url, {"title": "新計劃"}).assert_status(200).json["title"] == "新計劃"
    assert patch(office, item_url, {"year": 2027}).status_code == 422  # items are in 2026
    archive(office, item_url).assert_status(204)
    office.post(url, json=_plan(studied)).assert_status(201)  # archived plans step aside
    assert studied.client("branch_secretary").post(url, json=_plan(
        studied, unit="branch-2")).status_code == 403
    assert len(studied.client("viewer").get(f"{url}?year=2026").json) == 1
