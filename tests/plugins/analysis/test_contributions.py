"""A1: departments and units name a person and supply information on time; the analysis
assigns each a contribution with a due date, and late ones are visible."""

from __future__ import annotations

from tests.plugins.analysis.helpers import at, half_year


def test_units_contribute_and_late_contributions_are_visible(town, time_machine):
    time_machine.move_to(at("2026-05-01"))
    office = town.client("office")
    analysis = office.post(f"{town.base}/analysis/analyses",
                           json=half_year("2026-05-20", ("theory",))).json
    url = f"{town.base}/analysis/analyses/{analysis['id']}/contributions"
    village = office.post(url, json={"unit_id": str(town.units["village-1"]),
                                     "due_on": "2026-05-10", "request": "本村輿情"})
    station = office.post(url, json={"unit_id": str(town.units["station-1"])})
    village, station = village.assert_status(201).json, station.assert_status(201).json
    assert village["status"] == "pending" and station["due_on"] == "2026-05-15"  # 14 days

    time_machine.move_to(at("2026-05-12"))
    late = office.get(f"{town.base}/analysis/contributions?late=true").assert_status(200).json
    assert [c["id"] for c in late] == [village["id"]]
    assert late[0]["status"] == "overdue"

    head = town.client("unit_head")  # head of village-1
    submission = f"{url}/{village['id']}/submission"
    head.post(f"{url}/{station['id']}/submission", json={"content": "x"}).assert_status(403)
    done = head.post(submission, json={"content": "村內輿情平穩"}).assert_status(200).json
    assert (done["status"], done["late"]) == ("submitted_late", True)
    assert done["submitted_by_name"]
    head.post(submission, json={"content": "again"}).assert_status(409)
    town.client("unit_head").post(f"{url}/{station['id']}/submission",
                                  json={"content": ""}).assert_status(422)
    on_time = town.client("office").post(f"{url}/{station['id']}/submission",
                                         json={"content": "文化站情況"}).json
    assert on_time["status"] == "submitted" and on_time["late"] is False
    listed = office.get(f"{town.base}/analysis/contributions?status=submitted_late").json
    assert [c["id"] for c in listed] == [village["id"]]
    assert len(office.get(f"{url}?late=false").json) == 1


def test_assigning_needs_a_unit_of_this_township(town, other_township):
    office = town.client("office")
    analysis = office.post(f"{town.base}/analysis/analyses",
                           json=half_year("2026-05-20", ())).json
    url = f"{town.base}/analysis/analyses/{analysis['id']}/contributions"
    for body in ({}, {"unit_id": str(other_township.units["village-1"])},
                 {"unit_id": str(town.units["village-1"]), "due_on": "1999-01-01"},
                 {"unit_id": str(town.units["village-1"]), "extra": 1}):
        assert office.post(url, json=body).status_code == 422, body
    assert office.get(url).json == []


def test_a_branch_secretary_submits_only_for_their_own_branch(town):
    office = town.client("office")
    analysis = office.post(f"{town.base}/analysis/analyses",
                           json=half_year("2026-05-20", ())).json
    url = f"{town.base}/analysis/analyses/{analysis['id']}/contributions"
    own = office.post(url, json={"unit_id": str(town.units["branch-1"])}).json
    other = office.post(url, json={"unit_id": str(town.units["branch-2"])}).json
    secretary = town.client("branch_secretary")  # branch-1
    secretary.post(f"{url}/{other['id']}/submission", json={"content": "x"}).assert_status(403)
    secretary.post(f"{url}/{own['id']}/submission", json={"content": "x"}).assert_status(200)
    secretary.post(url, json={"unit_id": str(town.units["branch-1"])}).assert_status(403)
    town.client("viewer").post(f"{url}/{other['id']}/submission",
                               json={"content": "x"}).assert_status(403)
