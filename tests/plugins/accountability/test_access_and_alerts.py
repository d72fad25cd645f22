"""Access (the strictest in the product), audited reads, the catalogue, and alerts a
leader reviews — the software never opens a case or chooses a sanction itself."""

from __future__ import annotations

import datetime as dt

import time_machine

from tests.plugins.accountability.findings_stub import FINDINGS
from tests.plugins.accountability.support import audit, open_case

NOW = "2026-10-12T10:00:00+08:00"
OTHERS = ("member", "office", "branch_secretary", "unit_head", "tenant_admin")


@time_machine.travel(NOW, tick=False)
def test_only_secretary_deputy_and_viewers_read_cases(world):
    case = open_case(world, client="deputy")
    url = f"{world.base}/accountability/cases"
    item = f"{url}/{case['id']}"
    for role in ("secretary", "deputy", "viewer"):
        assert world.client(role).get(item).status_code == 200, role
        assert world.client(role).get(f"{world.base}/accountability/alerts").status_code == 200
    for role in OTHERS:
        assert world.client(role).get(url).status_code == 403, role
        assert world.client(role).get(item).status_code == 403, role
        assert world.client(role).get(f"{world.base}/accountability/alerts").status_code == 403
    viewer = world.client("viewer")
    assert viewer.post(url, json={}).status_code == 403  # designated viewers only read
    assert viewer.post(f"{item}/investigation", json={}).status_code == 403
    assert world.client("office").post(url, json={}).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_every_read_of_a_case_is_audited(world):
    case = open_case(world)
    assert [e["action"] for e in audit(world, target_id=case["id"])] == [
        "accountability_case.create"]
    viewer = world.client("viewer")
    viewer.get(f"{world.base}/accountability/cases/{case['id']}").assert_status(200)
    reads = audit(world, action="accountability.case.read", target_id=case["id"])
    assert len(reads) == 1 and reads[0]["actor"].startswith("viewer")
    viewer.get(f"{world.base}/accountability/cases?page_size=5").assert_status(200)
    listed = [e for e in audit(world, action="accountability.case.read")
              if e["target_id"] is None]
    assert listed and listed[0]["after"]["listed"] == [case["id"]]


def test_the_catalogue_is_the_seeds_table_in_three_scripts(world):
    url = f"{world.base}/accountability/catalogue"
    hant = world.client("unit_head", **{"Accept-Language": "zh-Hant"}).get(url)
    body = hant.assert_status(200).json
    assert [c["code"] for c in body["circumstances"]] == [f"K{n}" for n in range(1, 14)]
    assert body["circumstances"][8]["label"] == "對管轄範圍內意識形態工作出現嚴重問題隱瞞不報的"
    table = {s["code"]: [x["label"] for x in s["sanctions"]] for s in body["severities"]}
    assert table == {
        "minor": ["批評教育", "書面檢查", "誡勉談話"],
        "serious": ["通報批評", "責令公開檢討或公開道歉", "停職檢查", "調離崗位"],
        "especially_serious": ["引咎辭職或責令辭職", "開除黨籍", "降職", "辭退"]}
    assert body["combinable"] is True
    english = world.client("member", **{"Accept-Language": "en"}).get(url).json
    assert english["severities"][1]["label"] == "Serious"
    hans = world.client("member").get(url).json
    assert hans["severities"][0]["sanctions"][2]["label"] == "诫勉谈话"
    assert world.client("tenant_admin").get(url).status_code == 403


def test_alerts_show_long_overdue_obligations_and_overdue_rectifications(world, time_machine):
    """K13 signals: an obligation overdue past the threshold, a rectification at once."""
    from zerenzhi import open_event_obligation

    # this township registered no channels: it owes no quarterly reviews (P1), so the
    # only alerts are the ones below
    time_machine.move_to("2026-09-01T09:00:00+08:00", tick=False)
    incident = world.client("office").post(f"{world.base}/platforms/incidents", json={
        "unit_id": str(world.units["village-1"]), "title": "x", "category": "opinion",
        "severity": "major", "description": "x",
        "detected_at": "2026-09-01T08:30:00+08:00"}).assert_status(201).json
    FINDINGS["f-9"] = {"title": "宣傳欄未更新", "status": "open"}
    with world.scope() as sess:
        open_event_obligation(sess, "inspection.rectification", world.units["village-1"],
                              "inspection.finding", "f-9",
                              dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC),
                              due_at=dt.datetime(2026, 9, 20, 16, tzinfo=dt.UTC))
        sess.commit()
    url = f"{world.base}/accountability/alerts"
    time_machine.move_to("2026-09-25T09:00:00+08:00", tick=False)
    alerts = world.client("deputy").get(url).assert_status(200).json
    assert [(a["kind"], a["rule"], a["days_overdue"]) for a in alerts["items"]] == [
        ("overdue_rectification", "inspection.rectification", 4)]
    time_machine.move_to("2026-10-12T10:00:00+08:00", tick=False)
    alerts = world.client("deputy").get(url).assert_status(200).json
    kinds = [(a["kind"], a["rule"]) for a in alerts["items"]]
    assert kinds == [("overdue_obligation", "platforms.incident_report"),
                     ("overdue_rectification", "inspection.rectification")]
    report = alerts["items"][0]
    assert report["days_overdue"] == 40 and report["source"] == "P2"
    assert report["reference"] == {"type": "obligation", "id": incident["report"]
                                   ["obligation_id"]}
    assert report["cited_by"] == []
    case = open_case(world, evidence=[report["reference"]])
    again = world.client("deputy").get(url).json
    assert again["items"][0]["cited_by"] == [case["id"]]
    admin = world.client("tenant_admin")
    admin.put(f"{world.base}/plugins/accountability",
              json={"settings": {"overdue_alert_days": 60}}).assert_status(200)
    assert [a["rule"] for a in world.client("deputy").get(url).json["items"]] == [
        "inspection.rectification"]
    listed = world.client("secretary").get(f"{world.base}/accountability/cases").json
    assert [c["id"] for c in listed] == [case["id"]]  # alerts opened nothing themselves


def test_settings_are_validated(world):
    admin = world.client("tenant_admin")
    url = f"{world.base}/plugins/accountability"
    for bad in ({"overdue_alert_days": -1}, {"rectification_alert_days": 400},
                {"referral_body": ""}, {"auto_open": True}):
        assert admin.put(url, json={"settings": bad}).status_code == 422, bad
    state = admin.put(url, json={"settings": {"referral_body": "縣紀委監委"}})
    assert state.assert_status(200).json["settings"]["referral_body"] == "縣紀委監委"


@time_machine.travel(NOW, tick=False)
def test_a_case_cited_elsewhere_reveals_only_a_neutral_title(world):
    from zerenzhi import describe_reference

    case = open_case(world)
    with world.scope() as sess:
        described = describe_reference(sess, "accountability.case", case["id"])
    assert described == {"type": "accountability.case", "id": case["id"],
                         "title": "问责案件 2026-10-12", "status": "opened"}
