"""I1–I3: findings per unit with a rectification plan (owner, deadline) that starts
``inspection.rectification``; the unit's evidence, the office's verification (which fulfils
it), a later effectiveness check; overdue rectifications are visible."""

from __future__ import annotations

import datetime as dt

from tests.plugins.inspection.helpers import at, campaign, local_day, summary_item
from zerenzhi import describe_reference

RULE = "inspection.rectification"


def _finding(world, unit="village-1", **extra) -> dict:
    return {"unit_id": str(world.units[unit]), "severity": "serious",
            "description": "微信公眾號未按規定審核", "found_on": "2026-05-05",
            "evidence": "抽查記錄", "root_cause": "審核制度未落實", "plan": "建立三審制度",
            "owner": "韓主任", "deadline": "2026-05-31", **extra}


def test_rectification_is_fulfilled_by_the_office_verification(town, time_machine):
    time_machine.move_to(at("2026-05-10"))
    office, head = town.client("office"), town.client("unit_head")  # head of village-1
    created = campaign(office, town)
    url = f"{town.base}/inspection/findings"
    finding = office.post(url, json=_finding(town, campaign_id=created["id"]))
    finding = finding.assert_status(201).json
    assert finding["status"] == "rectifying" and finding["severity_label"]
    obligation = finding["rectification_obligation"]
    assert local_day(obligation["due_at"]) == dt.date(2026, 6, 1)  # end of 31 May
    item = summary_item(office, town, "2026H1", RULE, "village-1")
    assert (item["status"], item["responsible_role"], item["source"]) == (
        "upcoming", "unit_head", "I1–I3")
    one = f"{url}/{finding['id']}"

    office.post(f"{one}/verification", json={"accepted": True}).assert_status(409)  # nothing yet
    reported = head.post(f"{one}/rectification", json={"evidence": "三審制度文件及記錄"})
    assert reported.assert_status(200).json["status"] == "awaiting_verification"
    assert summary_item(office, town, "2026H1", RULE, "village-1")["done"] == 0
    for role in ("unit_head", "secretary", "deputy", "viewer"):
        assert town.client(role).post(f"{one}/verification",
                                      json={"accepted": True}).status_code == 403, role
    returned = office.post(f"{one}/verification", json={"accepted": False, "note": "材料不全"})
    assert returned.assert_status(200).json["status"] == "rectifying"
    head.post(f"{one}/rectification", json={"evidence": "補充材料"}).assert_status(200)
    verified = office.post(f"{one}/verification", json={"accepted": True, "note": "整改到位"})
    verified = verified.assert_status(200).json
    assert verified["status"] == "verified" and verified["verified_by_name"]
    item = summary_item(office, town, "2026H1", RULE, "village-1")
    assert item["status"] == "fulfilled" and item["evidence"]["id"] == finding["id"]

    time_machine.move_to(at("2026-08-10"))
    checked = office.post(f"{one}/effectiveness", json={"effective": True, "note": "運行良好"})
    assert checked.assert_status(200).json["status"] == "effective"
    office.patch(one, json={"deadline": "2026-06-30"},
                 headers={"If-Match": office.get(one).headers["ETag"]}).assert_status(409)


def test_overdue_rectifications_are_visible(town, time_machine):
    time_machine.move_to(at("2026-05-10"))
    office = town.client("office")
    url = f"{town.base}/inspection/findings"
    late = office.post(url, json=_finding(town, deadline="2026-05-20")).assert_status(201).json
    office.post(url, json=_finding(town, unit="station-1", deadline="2026-06-30"))
    time_machine.move_to(at("2026-05-25"))
    overdue = office.get(f"{url}?overdue=true").assert_status(200).json
    assert [f["id"] for f in overdue] == [late["id"]] and overdue[0]["status"] == "overdue"
    assert summary_item(office, town, "2026H1", RULE, "village-1")["status"] == "overdue"
    assert len(office.get(f"{url}?overdue=false").json) == 1
    # moving the deadline moves the obligation
    one = f"{url}/{late['id']}"
    moved = office.patch(one, json={"deadline": "2026-06-05"},
                         headers={"If-Match": office.get(one).headers["ETag"]})
    assert moved.assert_status(200).json["status"] == "rectifying"
    assert summary_item(office, town, "2026H1", RULE, "village-1")["status"] == "due_soon"
    # archiving closes it
    office.delete(one, headers={"If-Match": office.get(one).headers["ETag"]}).assert_status(204)
    assert summary_item(office, town, "2026H1", RULE, "village-1") is None


def test_findings_outside_a_campaign_cite_their_source(town, time_machine):
    time_machine.move_to(at("2026-05-25"))
    office = town.client("office")
    url = f"{town.base}/inspection/findings"
    first = office.post(url, json=_finding(town, deadline="2026-05-20")).json
    cited = {"type": "obligation", "id": first["rectification_obligation"]["id"]}
    raised = office.post(url, json=_finding(town, unit="branch-1", source=cited))
    raised = raised.assert_status(201).json
    assert raised["campaign_id"] is None and raised["source"]["status"] == "overdue"
    item = summary_item(office, town, "2026H1", RULE, "branch-1")
    assert item["responsible_role"] == "branch_secretary"
    with town.scope() as sess:
        described = describe_reference(sess, "inspection.finding", raised["id"])
        assert described["status"] == "rectifying" and described["severity"] == "serious"
        assert describe_reference(sess, "inspection.finding", "x") is None


def test_a_branch_secretary_rectifies_only_for_their_own_branch(town, time_machine):
    time_machine.move_to(at("2026-05-10"))
    office = town.client("office")
    url = f"{town.base}/inspection/findings"
    own = office.post(url, json=_finding(town, unit="branch-1")).json
    other = office.post(url, json=_finding(town, unit="branch-2")).json
    secretary = town.client("branch_secretary")  # branch-1
    body = {"evidence": "整改報告"}
    secretary.post(f"{url}/{other['id']}/rectification", json=body).assert_status(403)
    secretary.post(f"{url}/{own['id']}/rectification", json=body).assert_status(200)
    for role in ("branch_secretary", "unit_head", "member", "viewer"):
        assert town.client(role).post(url, json=_finding(town)).status_code == 403, role


def test_bad_findings_are_422_and_nothing_is_written(town, other_township):
    office = town.client("office")
    url = f"{town.base}/inspection/findings"
    bad = [
        {}, _finding(town, owner=""), _finding(town, deadline=None),
        _finding(town, deadline="2026-05-01"), _finding(town, severity="fatal"),
        _finding(town, unit="committee"), _finding(other_township, unit="village-1"),
        _finding(town, campaign_id="00000000-0000-0000-0000-000000000001"),
        _finding(town, source={"type": "analysis.analysis", "id": "nope"}),
        _finding(town, colour="red"), _finding(town, description=""),
    ]
    for body in bad:
        assert office.post(url, json=body).status_code == 422, body
    assert office.get(f"{url}?include_archived=true").json == []
    summary = office.get(f"{town.base}/obligations/summary?period=2026").json
    assert not [i for i in summary["items"] if i["rule"] == RULE]
