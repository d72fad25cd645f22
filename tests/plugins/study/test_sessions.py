"""Study sessions as the branch secretary and the office experience them (W2, W3, M5)."""

from __future__ import annotations

import time_machine

from tests.plugins.study.helpers import archive, body, done, item, patch

THEORY, IDEOLOGY, SPECIAL = ("study.branch_theory_study", "study.branch_ideology_study",
                             "study.secretary_special_study")


@time_machine.travel("2026-12-20T10:00:00+08:00", tick=False)
def test_twelve_centralised_sessions_two_on_ideology_fulfil_w3(studied):
    """W3: a branch studies 12 times a year, at least twice on ideology work."""
    client = studied.client("branch_secretary")  # posted at branch-1
    for month in range(1, 13):
        client.post(f"{studied.base}/study/sessions", json=body(
            studied, day=f"2026-{month:02d}-15", ideology=month in (3, 9))).assert_status(201)
    theory = item(studied, "2026", THEORY, "branch-1")
    assert (theory["required"], theory["done"], theory["status"]) == (12, 12, "fulfilled")
    assert theory["source"] == "W3" and theory["responsible_role"] == "branch_secretary"
    ideology = item(studied, "2026", IDEOLOGY, "branch-1")
    assert (ideology["done"], ideology["status"]) == (2, "fulfilled")
    assert item(studied, "2026", THEORY, "branch-2")["status"] == "due_soon"
    assert done(studied, "2026", SPECIAL, "branch-1") == 0  # centralised is not 專題研究


def test_special_deliberations_count_for_each_branch_secretary(studied):
    """W2: each branch secretary holds 2 special deliberations a year (the committee
    secretary's are the committee's special meetings, in reporting: decision 0019)."""
    office = studied.client("office")
    office.post(f"{studied.base}/study/sessions", json=body(
        studied, kind="special_study", ideology=True)).assert_status(201)
    branch = item(studied, "2026", SPECIAL, "branch-1")
    assert (branch["done"], branch["responsible_role"]) == (1, "branch_secretary")
    assert done(studied, "2026", THEORY, "branch-1") == 0  # a special study is not W3's
    assert done(studied, "2026", IDEOLOGY, "branch-1") == 0


def test_editing_moves_the_ledger_and_archiving_removes_it(studied):
    """W3: editing the date, kind or tag moves the entries; archiving takes them away."""
    client = studied.client("branch_secretary")
    created = client.post(f"{studied.base}/study/sessions", json=body(
        studied, ideology=True)).assert_status(201).json
    url = f"{studied.base}/study/sessions/{created['id']}"
    assert created["counts_toward"] == [THEORY, IDEOLOGY]
    assert (done(studied, "2026", THEORY, "branch-1"), done(studied, "2026", IDEOLOGY,
                                                            "branch-1")) == (1, 1)
    assert patch(client, url, {"ideology": False}).assert_status(200).json["counts_toward"] == [
        THEORY]
    assert done(studied, "2026", IDEOLOGY, "branch-1") == 0
    patch(client, url, {"held_on": "2025-12-30"}).assert_status(200)
    assert done(studied, "2026", THEORY, "branch-1") == 0
    assert done(studied, "2025", THEORY, "branch-1") == 1
    changed = patch(client, url, {"kind": "training", "held_on": "2026-05-01"}).json
    assert changed["counts_toward"] == []  # M5 training is recorded but counts for neither
    assert done(studied, "2025", THEORY, "branch-1") == done(studied, "2026", THEORY,
                                                             "branch-1") == 0
    patch(client, url, {"kind": "centralised"}).assert_status(200)
    assert done(studied, "2026", THEORY, "branch-1") == 1
    archive(client, url).assert_status(204)
    assert done(studied, "2026", THEORY, "branch-1") == 0
    assert client.get(url).json["archived_at"] is not None  # kept, never deleted
    assert client.get(f"{studied.base}/study/sessions").json == []
    listed = client.get(f"{studied.base}/study/sessions?include_archived=true").json
    assert [s["id"] for s in listed] == [created["id"]]
    assert patch(client, url, {"title": "改"}).status_code == 409


def test_moving_a_session_to_another_branch_moves_its_evidence(studied):
    office = studied.client("office")
    created = office.post(f"{studied.base}/study/sessions", json=body(studied)).json
    url = f"{studied.base}/study/sessions/{created['id']}"
    patch(office, url, {"unit_id": str(studied.units["branch-2"])}).assert_status(200)
    assert done(studied, "2026", THEORY, "branch-1") == 0
    assert done(studied, "2026", THEORY, "branch-2") == 1


def test_attendance_present_absent_with_reason_and_rate(studied):
    """Members of the unit are present or absent with a reason; the rate follows."""
    client = studied.client("office")
    secretary = studied.users["branch_secretary"]
    member = studied.users["member"]  # also posted at branch-1
    created = client.post(f"{studied.base}/study/sessions", json=body(studied, attendance=[
        {"member_id": str(secretary), "present": True},
        {"member_id": str(member), "present": False, "absence_reason": "外出開會"},
    ], presenter="楊支書", topics=["黨章", "意識形態工作責任制"], materials=[
        {"title": "學習材料", "url": "https://www.example.org/a.pdf"}],
        minutes="會議記錄")).assert_status(201).json
    assert (created["present_count"], created["absent_count"], created["attendance_rate"]) == (
        1, 1, 0.5)
    absent = next(a for a in created["attendance"] if a["member_id"] == str(member))
    assert absent == {"member_id": str(member), "present": False, "absence_reason": "外出開會"}
    assert created["materials"] == [{"title": "學習材料", "url": "https://www.example.org/a.pdf"}]
    url = f"{studied.base}/study/sessions/{created['id']}"
    changed = patch(client, url, {"attendance": [
        {"member_id": str(member), "present": True}]}).assert_status(200).json
    assert (changed["present_count"], changed["absent_count"], changed["attendance_rate"]) == (
        1, 0, 1.0)
    assert [a["member_id"] for a in changed["attendance"]] == [str(member)]


def test_bad_input_is_422_with_field_errors_and_writes_nothing(studied, other_township):
    client = studied.client("office")
    url = f"{studied.base}/study/sessions"
    outsider = str(studied.users["unit_head"])  # posted at village-1, not branch-1
    cases = [
        ({}, "unit_id"),
        (body(studied, kind="party"), "kind"),
        (body(studied, day="2026-02-30"), "held_on"),
        ({**body(studied), "mood": "good"}, "mood"),
        ({**body(studied), "title": ""}, "title"),
        (body(studied, materials=[{"title": "x", "url": "javascript:alert(1)"}]), "materials"),
        ({**body(studied), "unit_id": str(other_township.units["branch-1"])}, "unit_id"),
        (body(studied, attendance=[{"member_id": outsider, "present": True}]),
         "attendance.0.member_id"),
        (body(studied, attendance=[{"member_id": str(studied.users["branch_secretary"]),
                                    "present": False}]), "attendance.0.absence_reason"),
    ]
    for payload, field in cases:
        response = client.post(url, json=payload)
        assert response.status_code == 422, payload
        assert field in response.json["errors"]["json"], (field, response.json)
    assert client.get(f"{url}?include_archived=true").json == []
    assert done(studied, "2026", THEORY, "branch-1") == 0


def test_write_scope_follows_the_org_tree(studied):
    """A branch secretary writes only for their own branch; a viewer reads only."""
    branch_secretary = studied.client("branch_secretary")
    url = f"{studied.base}/study/sessions"
    assert branch_secretary.post(url, json=body(studied, unit="branch-2")).status_code == 403
    other = studied.client("office").post(url, json=body(studied, unit="branch-2")).json
    other_url = f"{url}/{other['id']}"
    assert patch(branch_secretary, other_url, {"title": "改"}).status_code == 403
    own = branch_secretary.post(url, json=body(studied)).assert_status(201).json
    assert patch(branch_secretary, f"{url}/{own['id']}", {
        "unit_id": str(studied.units["branch-2"])}).status_code == 403
    assert archive(branch_secretary, other_url).status_code == 403
    head = studied.client("unit_head")  # M5: a village records its own training
    head.post(url, json=body(studied, unit="village-1", kind="training")).assert_status(201)
    assert head.post(url, json=body(studied, unit="branch-1")).status_code == 403
    assert studied.client("viewer").post(url, json=body(studied)).status_code == 403
    assert len(studied.client("viewer").get(url).assert_status(200).json) == 3
    assert studied.client("tenant_admin").get(url).status_code == 403  # no business rights


def test_disabled_module_is_absent(township):
    response = township.client("office").get(f"{township.base}/study/sessions")
    assert response.status_code == 404 and "study" in response.json["message"]


def test_settings_are_validated_and_decide_which_kinds_count(studied):
    """Per-township settings: the kinds that count (training may count toward W3 here)."""
    admin = studied.client("tenant_admin")
    url = f"{studied.base}/plugins/study"
    for bad in ({"theory_studies_per_year": -1}, {"theory_study_kinds": ["party"]},
                {"theory_study_kinds": []}, {"special_study_kinds": ["training", "training"]},
                {"weekly": True}):
        assert admin.put(url, json={"settings": bad}).status_code == 422, bad
    office = studied.client("office")
    office.post(f"{studied.base}/study/sessions", json=body(
        studied, kind="training")).assert_status(201)
    assert done(studied, "2026", THEORY, "branch-1") == 0
    state = admin.put(url, json={"settings": {
        "theory_study_kinds": ["centralised", "training"], "theory_studies_per_year": 24}})
    assert state.assert_status(200).json["settings"]["theory_studies_per_year"] == 24
    assert done(studied, "2026", THEORY, "branch-1") == 1  # re-said when the settings changed
    admin.put(url, json={"settings": {}}).assert_status(200)
    assert done(studied, "2026", THEORY, "branch-1") == 0
