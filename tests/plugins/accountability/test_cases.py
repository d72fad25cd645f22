"""K: accountability cases about leadership groups and leading cadres — opened,
investigated, proposed with sanctions the text's table allows (singly or combined),
referred to the 區紀委, the commission's outcome recorded, closed. Evidence is cited by
reference across modules."""

from __future__ import annotations

import time_machine

from tests.plugins.accountability.findings_stub import FINDINGS
from tests.plugins.accountability.support import audit, case_body, open_case, step

NOW = "2026-10-12T10:00:00+08:00"


def _incident(world) -> str:
    return world.client("office").post(f"{world.base}/platforms/incidents", json={
        "unit_id": str(world.units["village-1"]), "title": "廣播轉播未審核內容",
        "category": "opinion", "severity": "major", "description": "x",
        "detected_at": "2026-10-12T09:00:00+08:00"}).assert_status(201).json["id"]


@time_machine.travel(NOW, tick=False)
def test_a_case_is_decided_with_a_combined_sanction_and_referred(world):
    """K6, K13: the story from opening to closing, with an incident cited as evidence."""
    incident = _incident(world)
    case = open_case(world, evidence=[{"type": "platforms.incident", "id": incident,
                                       "note": "首報超時"}])
    assert (case["status"], case["subject_name"]) == ("opened", f"unit_head {world.slug}")
    assert case["circumstance_labels"][0] == "所属舆论阵地出现严重错误导向的"
    assert [(e["ref_type"], e["title"], e["status"]) for e in case["evidence"]] == [
        ("platforms.incident", "廣播轉播未審核內容", "open")]
    step(world, case["id"], "investigation", {"note": "調閱播出記錄"}).assert_status(200)
    decided = step(world, case["id"], "decision", {
        "severity": "minor", "sanctions": ["written_self_criticism", "admonishment_talk"],
        "reasoning": "情節較輕，已整改。"}, client="deputy").assert_status(200).json
    assert (decided["status"], decided["severity"], decided["sanctions"]) == (
        "decided", "minor", ["written_self_criticism", "admonishment_talk"])
    assert decided["sanction_labels"] == ["书面检查", "诫勉谈话"]
    referred = step(world, case["id"], "referral", {"reference": "委報〔2026〕12號"})
    assert referred.assert_status(200).json["status"] == "referred"
    assert (referred.json["referred_to"], referred.json["referred_on"]) == ("區紀委",
                                                                            "2026-10-12")
    step(world, case["id"], "outcome", {
        "severity": "minor", "sanctions": ["written_self_criticism"],
        "summary": "區紀委決定責令書面檢查。"}).assert_status(200)
    closed = step(world, case["id"], "closure").assert_status(200)
    assert closed.json["status"] == "closed"
    english = world.client("viewer", **{"Accept-Language": "en"}).get(
        f"{world.base}/accountability/cases/{case['id']}").assert_status(200).json
    assert english["status_label"] == "Closed" and english["severity_label"] == "Minor"


@time_machine.travel(NOW, tick=False)
def test_a_sanction_outside_the_severity_is_refused_and_nothing_is_written(world):
    """The seed's table: 通報批評 belongs to 情節較重, not to 情節較輕 — 422, no change."""
    case = open_case(world)
    step(world, case["id"], "investigation").assert_status(200)
    before = len(audit(world, action="accountability_case.update"))
    refused = step(world, case["id"], "decision", {
        "severity": "minor", "sanctions": ["criticism_education", "circulated_criticism"],
        "reasoning": "x"})
    assert refused.status_code == 422
    message = refused.json["errors"]["json"]["sanctions"][0]
    assert "通报批评" in message and "批评教育" in message  # names the wrong and the allowed
    assert len(audit(world, action="accountability_case.update")) == before
    unchanged = world.client("secretary").get(f"{world.base}/accountability/cases/{case['id']}")
    assert (unchanged.json["status"], unchanged.json["severity"],
            unchanged.json["sanctions"]) == ("investigating", None, [])
    for bad in ({"severity": "minor", "sanctions": [], "reasoning": "x"},
                {"severity": "minor", "sanctions": ["admonishment_talk"] * 2, "reasoning": "x"},
                {"severity": "grave", "sanctions": ["demotion"], "reasoning": "x"},
                {"severity": "serious", "sanctions": ["suspension"]}):
        assert step(world, case["id"], "decision", bad).status_code == 422, bad
    combined = step(world, case["id"], "decision", {
        "severity": "especially_serious", "sanctions": ["expulsion", "dismissal"],
        "reasoning": "情節特別嚴重"})
    assert combined.assert_status(200).json["sanctions"] == ["expulsion", "dismissal"]


@time_machine.travel(NOW, tick=False)
def test_steps_out_of_turn_are_conflicts(world):
    case = open_case(world)
    decision = {"severity": "minor", "sanctions": ["criticism_education"], "reasoning": "x"}
    assert step(world, case["id"], "decision", decision).status_code == 409
    assert step(world, case["id"], "referral").status_code == 409
    assert step(world, case["id"], "closure", {"note": "x"}).status_code == 409
    step(world, case["id"], "investigation").assert_status(200)
    assert step(world, case["id"], "investigation").status_code == 409
    assert step(world, case["id"], "closure").status_code == 422  # without a decision: why?
    step(world, case["id"], "decision", decision).assert_status(200)
    url = f"{world.base}/accountability/cases/{case['id']}"
    secretary = world.client("secretary")
    etag = secretary.get(url).headers["ETag"]
    assert secretary.patch(url, json={"facts": "y"}, headers={"If-Match": etag}).status_code \
        == 409
    assert secretary.delete(url, headers={"If-Match": etag}).status_code == 409  # on record
    dropped = open_case(world)
    other = f"{world.base}/accountability/cases/{dropped['id']}"
    secretary.delete(other, headers={"If-Match": secretary.get(other).headers["ETag"]}
                     ).assert_status(204)
    listed = secretary.get(f"{world.base}/accountability/cases").json
    assert [c["id"] for c in listed] == [case["id"]]


@time_machine.travel(NOW, tick=False)
def test_evidence_is_validated_through_core_references(world, other_township):
    FINDINGS["f-1"] = {"title": "東村宣傳欄內容陳舊", "status": "open"}
    case = open_case(world)
    url = f"{world.base}/accountability/cases/{case['id']}/evidence"
    secretary = world.client("secretary")
    finding = secretary.post(url, json={"type": "inspection.finding", "id": "f-1"})
    assert finding.assert_status(201).json["title"] == "東村宣傳欄內容陳舊"
    assert secretary.post(url, json={"type": "inspection.finding",
                                     "id": "f-1"}).status_code == 409
    other_township.enable("platforms")  # a foreign incident is as unknown as a made-up one
    foreign = other_township.client("office").post(
        f"{other_township.base}/platforms/incidents", json={
            "unit_id": str(other_township.units["village-1"]), "title": "x",
            "category": "other", "severity": "minor", "description": "x",
            "detected_at": "2026-10-12T09:00:00+08:00"}).assert_status(201).json["id"]
    for bad, field in (({"type": "platforms.incident", "id": foreign}, "ref_id"),
                       ({"type": "obligation", "id": "00000000-0000-0000-0000-000000000000"},
                        "ref_id"),
                       ({"type": "inspection.finding", "id": "f-404"}, "ref_id"),
                       ({"type": "study.session", "id": "x"}, "type")):
        response = secretary.post(url, json=bad)
        assert response.status_code == 422 and field in response.json["errors"]["json"], bad
    bad_open = secretary.post(f"{world.base}/accountability/cases", json=case_body(
        world, evidence=[{"type": "platforms.incident", "id": foreign}]))
    assert bad_open.status_code == 422 and "evidence.0.id" in bad_open.json["errors"]["json"]
    secretary.delete(f"{url}/{finding.json['id']}").assert_status(204)
    shown = secretary.get(f"{world.base}/accountability/cases/{case['id']}").json
    assert shown["evidence"] == []
    world.client("tenant_admin").delete(f"{world.base}/plugins/inspection").assert_status(200)
    disabled = secretary.post(url, json={"type": "inspection.finding", "id": "f-1"})
    assert disabled.status_code == 422  # a module the township switched off answers nothing


@time_machine.travel(NOW, tick=False)
def test_bad_cases_are_422_and_nothing_is_written(world, other_township):
    url = f"{world.base}/accountability/cases"
    secretary = world.client("secretary")
    for body, field in (
        (case_body(world, circumstances=[]), "circumstances"),
        (case_body(world, circumstances=["K14"]), "circumstances"),
        (case_body(world, circumstances=["K1", "K1"]), "circumstances"),
        (case_body(world, subject_kind="private_person"), "subject_kind"),
        (case_body(world, subject_unit_id=str(other_township.units["village-1"])),
         "subject_unit_id"),
        (case_body(world, subject_member_id=str(other_township.users["unit_head"])),
         "subject_member_id"),
        (case_body(world, subject_member_id=None), "subject_name"),
        (case_body(world, opened_on="2026-12-01"), "opened_on"),
        (case_body(world, facts=" "), "facts"),
        (case_body(world, religion="x"), "religion"),
    ):
        response = secretary.post(url, json=body)
        assert response.status_code == 422 and field in response.json["errors"]["json"], field
    assert secretary.get(url).json == []
    group = secretary.post(url, json=case_body(
        world, subject_kind="leadership_group", subject_member_id=None,
        subject_name="東村村委會領導班子", circumstances=["K1"]))
    assert group.assert_status(201).json["subject_kind_label"] == "领导班子"
