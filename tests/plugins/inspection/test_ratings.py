"""I3: the committee's responsible members interview (約談) the heads of villages and
stations whose results show prominent problems; I4: results become per-unit scores."""

from __future__ import annotations

import datetime as dt

from tests.plugins.inspection.helpers import all_yes, at, campaign, local_day, summary_item

RULE = "inspection.interview"


def test_prominent_problems_start_an_interview_that_the_record_fulfils(town, time_machine):
    time_machine.move_to(at("2026-06-01"))
    office = town.client("office")
    base = f"{town.base}/inspection/campaigns/{campaign(office, town)['id']}"
    rated = office.post(f"{base}/ratings", json={
        "unit_id": str(town.units["village-1"]), "rating": "prominent_problems",
        "note": "學習制度落實不到位"}).assert_status(200).json
    obligation = rated["interview_obligation"]
    assert obligation["status"] == "upcoming"
    assert local_day(obligation["due_at"]) == dt.date(2026, 6, 16)  # 15 days (360 h)
    item = summary_item(office, town, "2026H1", RULE, "village-1")
    assert (item["responsible_role"], item["source"]) == ("deputy", "I3")

    interviews = f"{town.base}/inspection/interviews"
    body = {"rating_id": rated["id"], "held_on": "2026-06-05",
            "content": "指出問題，提出整改要求", "commitments": "一個月內整改到位"}
    town.client("member").post(interviews, json=body).assert_status(403)  # not their unit
    town.client("unit_head").post(interviews, json=body).assert_status(403)
    held = town.client("deputy").post(interviews, json=body).assert_status(201).json
    assert held["interviewee"].startswith("unit_head")  # the village's head, by post
    assert held["held_by"].startswith("deputy")
    item = summary_item(office, town, "2026H1", RULE, "village-1")
    assert item["status"] == "fulfilled" and item["evidence"]["id"] == held["id"]

    one = f"{interviews}/{held['id']}"
    town.client("deputy").delete(one, headers={"If-Match": office.get(one).headers["ETag"]})
    assert summary_item(office, town, "2026H1", RULE, "village-1")["done"] == 0
    time_machine.move_to(at("2026-06-20"))
    assert summary_item(office, town, "2026H1", RULE, "village-1")["status"] == "overdue"


def test_a_changed_rating_closes_an_interview_not_yet_held(town, time_machine):
    time_machine.move_to(at("2026-06-01"))
    office = town.client("office")
    base = f"{town.base}/inspection/campaigns/{campaign(office, town)['id']}"
    station = str(town.units["station-1"])
    rated = office.post(f"{base}/ratings", json={"unit_id": station,
                                                 "rating": "prominent_problems"}).json
    assert summary_item(office, town, "2026H1", RULE, "station-1") is not None
    again = office.post(f"{base}/ratings", json={"unit_id": station, "rating": "adequate"})
    assert again.assert_status(200).json["id"] == rated["id"]
    assert again.json["interview_obligation"] is None
    assert summary_item(office, town, "2026H1", RULE, "station-1") is None
    office.post(f"{town.base}/inspection/interviews", json={
        "rating_id": rated["id"], "held_on": "2026-06-05", "content": "x"}).assert_status(422)
    assert len(office.get(f"{base}/ratings").json) == 1
    for body in ({}, {"unit_id": station, "rating": "bad"},
                 {"unit_id": str(town.units["branch-1"]), "rating": "good"}):
        assert office.post(f"{base}/ratings", json=body).status_code == 422, body


def test_scores_follow_the_documented_formula_and_the_township_weights(town, time_machine):
    """score = 40·C + 30·R + 30·F by default (I4)."""
    time_machine.move_to(at("2026-06-01"))
    office, head = town.client("office"), town.client("unit_head")
    created = campaign(office, town)
    base = f"{town.base}/inspection/campaigns/{created['id']}"
    answers = all_yes(head, town)
    answers.update({"anti_cult": "no", "platforms_managed": "no", "incidents_reported": "na"})
    head.post(f"{base}/self-inspections", json={"unit_id": str(town.units["village-1"]),
                                                "answers": answers, "submit": True})
    office.post(f"{base}/ratings", json={"unit_id": str(town.units["village-1"]),
                                         "rating": "good"})
    office.post(f"{base}/ratings", json={"unit_id": str(town.units["station-1"]),
                                         "rating": "adequate"})
    office.post(f"{town.base}/inspection/findings", json={
        "campaign_id": created["id"], "unit_id": str(town.units["village-1"]),
        "severity": "serious", "description": "陣地平臺未審核"}).assert_status(201)
    scores = {s["unit_code"]: s for s in office.get(f"{base}/scores").assert_status(200).json}
    village, station = scores["village-1"], scores["station-1"]
    assert village["checklist_rate"] == 0.75  # 6 yes of 8 yes/no (one n/a)
    assert (village["rating_rate"], village["findings_rate"]) == (1.0, 0.85)
    assert village["score"] == 85.5  # 40·0.75 + 30·1 + 30·0.85
    assert station["score"] == 51.0 and station["self_inspection_submitted"] is False

    with town.scope() as sess:
        from zerenzhi import parse_period

        metrics = town.app.extensions["zerenzhi"].metrics
        _plugin, average = metrics["inspection.average_score"]
        assert average.compute(sess, parse_period("2026H1")) == 68.2  # (85.5 + 51) / 2
        _plugin, prominent = metrics["inspection.prominent_problem_units"]
        assert prominent.compute(sess, parse_period("2026")) == 0

    town.client("tenant_admin").put(f"{town.base}/plugins/inspection", json={"settings": {
        "score_weights": {"checklist": 50, "rating": 50, "findings": 0}}}).assert_status(200)
    rescored = {s["unit_code"]: s["score"] for s in office.get(f"{base}/scores").json}
    assert rescored == {"village-1": 87.5, "station-1": 35.0}


def test_roles(town):
    office = town.client("office")
    created = campaign(office, town)
    url = f"{town.base}/inspection/campaigns"
    for role in ("secretary", "deputy", "member", "office", "branch_secretary", "unit_head",
                 "viewer"):
        assert town.client(role).get(f"{url}/{created['id']}/scores").status_code == 200, role
    assert town.client("tenant_admin").get(url).status_code == 403
    for role in ("member", "branch_secretary", "unit_head", "viewer", "tenant_admin"):
        response = town.client(role).post(url, json={"title": "x", "started_on": "2026-05-01"})
        assert response.status_code == 403, role
    town.client("secretary").post(url, json={"title": "x", "started_on": "2026-05-01"})
    assert len(office.get(url).json) == 2


def test_the_module_is_absent_where_not_enabled(township):
    response = township.client("office").get(f"{township.base}/inspection/campaigns")
    assert response.status_code == 404 and "inspection" in response.json["message"]
