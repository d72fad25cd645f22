"""I1, I2: every half-year the office leads a special inspection of the whole jurisdiction,
self-inspection combined with key inspection, written with on-site; it counts only when
every village and station is covered."""

from __future__ import annotations

from tests.plugins.inspection.helpers import all_yes, at, campaign, summary_item

RULE = "inspection.half_year"


def test_campaign_counts_once_every_village_and_station_is_covered(town, time_machine):
    time_machine.move_to(at("2026-05-10"))
    office, head = town.client("office"), town.client("unit_head")  # head of village-1
    created = campaign(office, town)
    assert created["period"] == "2026H1" and created["counts"] is False
    missing = {u["code"] for u in created["coverage"]["not_covered"]}
    assert missing == {"village-1", "station-1"}
    assert summary_item(office, town, "2026H1", RULE, "office")["status"] != "fulfilled"
    base = f"{town.base}/inspection/campaigns/{created['id']}"

    # the village fills in its checklist and hands it in (I2: self-inspection)
    answers = all_yes(head, town)
    draft = head.post(f"{base}/self-inspections", json={
        "unit_id": str(town.units["village-1"]), "answers": {"theory_study": "yes"}})
    draft = draft.assert_status(201).json
    assert draft["covers"] is False
    head.post(f"{base}/self-inspections/{draft['id']}/submission",
              json={}).assert_status(422)  # unanswered items
    submitted = head.post(f"{base}/self-inspections/{draft['id']}/submission",
                          json={"answers": answers}).assert_status(200).json
    assert submitted["covers"] is True and submitted["method_label"]
    head.post(f"{base}/self-inspections", json={
        "unit_id": str(town.units["station-1"]), "answers": {}}).assert_status(403)
    state = office.get(base).json
    assert [u["code"] for u in state["coverage"]["not_covered"]] == ["station-1"]

    # the office's key, written and on-site checks (I2) do not stand in for the station's
    # own self-inspection
    for method in ("key", "written", "on_site"):
        office.post(f"{base}/checks", json={
            "unit_id": str(town.units["station-1"]), "method": method,
            "checked_on": "2026-05-09", "inspectors": "張秀英"}).assert_status(201)
    state = office.get(base).json
    assert state["coverage"]["methods_missing"] == [] and not state["counts"]
    assert [u["code"] for u in state["coverage"]["not_covered"]] == ["station-1"]

    # the station's self-inspection: now every unit is covered
    check = office.post(f"{base}/self-inspections", json={
        "unit_id": str(town.units["station-1"]), "answers": answers,
        "submit": True}).assert_status(201).json
    state = office.get(base).json
    assert state["coverage"]["complete"] and state["counts"]
    item = summary_item(office, town, "2026H1", RULE, "office")
    assert (item["status"], item["source"], item["responsible_role"]) == (
        "fulfilled", "I1, I2", "office")

    # archiving the self-inspection uncovers the station and takes the evidence back
    office.delete(f"{base}/checks/{check['id']}").assert_status(204)
    assert office.get(base).json["coverage"]["not_covered"][0]["code"] == "station-1"
    assert summary_item(office, town, "2026H1", RULE, "office")["done"] == 0
    methods = [c["method"] for c in office.get(f"{base}/checks?include_archived=true").json]
    assert sorted(methods) == ["key", "on_site", "self", "self", "written"]


def test_finishing_and_archiving_a_campaign(town, time_machine):
    time_machine.move_to(at("2026-07-20"))
    office = town.client("office")
    created = campaign(office, town, "2026-07-01")
    base = f"{town.base}/inspection/campaigns/{created['id']}"
    answers = all_yes(office, town)
    for unit, method in (("village-1", "key"), ("station-1", "written"),
                         ("station-1", "on_site")):
        office.post(f"{base}/self-inspections", json={"unit_id": str(town.units[unit]),
                    "answers": answers, "submit": True}).assert_status(201)
        office.post(f"{base}/checks", json={"unit_id": str(town.units[unit]),
                                            "method": method}).assert_status(201)
    assert summary_item(office, town, "2026H2", RULE, "office")["status"] == "fulfilled"
    etag = office.get(base).headers["ETag"]
    finished = office.patch(base, json={"ended_on": "2026-07-19"}, headers={"If-Match": etag})
    assert finished.assert_status(200).json["finished"] is True
    office.patch(base, json={"ended_on": "2026-06-01"},
                 headers={"If-Match": finished.headers["ETag"]}).assert_status(422)
    office.delete(base, headers={"If-Match": '"stale"'}).assert_status(412)
    office.delete(base, headers={"If-Match": office.get(base).headers["ETag"]}).assert_status(204)
    assert summary_item(office, town, "2026H2", RULE, "office")["done"] == 0
    assert office.get(f"{town.base}/inspection/campaigns").json == []
    office.post(f"{base}/checks", json={"unit_id": str(town.units["village-1"]),
                                        "method": "written"}).assert_status(409)


def test_checks_reach_only_villages_and_stations_of_this_township(town, other_township):
    office = town.client("office")
    base = f"{town.base}/inspection/campaigns/{campaign(office, town)['id']}"
    for body in ({}, {"unit_id": str(town.units["branch-1"]), "method": "key"},
                 {"unit_id": str(other_township.units["village-1"]), "method": "key"},
                 {"unit_id": str(town.units["village-1"]), "method": "self"},
                 {"unit_id": str(town.units["village-1"]), "method": "key", "x": 1}):
        assert office.post(f"{base}/checks", json=body).status_code == 422, body
    bad_answers = {"unit_id": str(town.units["village-1"]), "answers": {"nonsense": "yes"}}
    assert office.post(f"{base}/self-inspections", json=bad_answers).status_code == 422
    assert office.get(f"{base}/checks").json == []
    assert office.post(f"{town.base}/inspection/campaigns",
                       json={"title": "x", "started_on": "2026-13-01"}).status_code == 422


def test_checklist_comes_from_settings_and_prefills_from_obligations(town, time_machine):
    """Checklist items linked to a rule are pre-answered from the unit's obligation status:
    an overdue rectification answers "rectification_done" with no."""
    time_machine.move_to(at("2026-05-10"))
    office = town.client("office", **{"Accept-Language": "en"})
    items = office.get(f"{town.base}/inspection/checklist").json
    assert items[0]["key"] == "theory_study" and items[0]["rule"] == "study.branch_theory_study"
    assert items[0]["label"].startswith("At least 12")
    created = campaign(office, town)
    office.post(f"{town.base}/inspection/findings", json={
        "unit_id": str(town.units["village-1"]), "severity": "minor", "description": "學習記錄不全",
        "found_on": "2026-05-02", "plan": "補齊記錄", "owner": "韓主任",
        "deadline": "2026-05-05"}).assert_status(201)
    prefill = office.get(f"{town.base}/inspection/campaigns/{created['id']}/prefill"
                         f"?unit_id={town.units['village-1']}").assert_status(200).json
    by_key = {i["key"]: i for i in prefill}
    assert by_key["rectification_done"]["suggested"] == "no"
    assert by_key["rectification_done"]["obligation_status"] == "overdue"
    assert by_key["anti_cult"]["suggested"] is None


def test_settings_are_validated(township):
    admin = township.client("tenant_admin")
    url = f"{township.base}/plugins/inspection"
    for bad in ({"score_weights": {"checklist": 50}},
                {"rating_points": {"good": 100}},
                {"severity_deductions": {"minor": 5, "serious": 15, "severe": 101}},
                {"checklist": []},
                {"checklist": [{"key": "a", "text": "甲"}, {"key": "a", "text": "乙"}]},
                {"checklist": [{"key": "A B", "text": "甲"}]},
                {"weights": {}}):
        assert admin.put(url, json={"settings": bad}).status_code == 422, bad
    custom = [{"key": "a", "text": "甲項", "text_en": "Item A"}]
    state = admin.put(url, json={"settings": {
        "checklist": custom, "score_weights": {"checklist": 50, "rating": 50, "findings": 0}}})
    settings = state.assert_status(200).json["settings"]
    assert settings["checklist"][0]["rule"] is None
    assert settings["rating_points"]["prominent_problems"] == 30
