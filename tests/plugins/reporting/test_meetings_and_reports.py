"""The committee's meetings on ideology and its reports upward, as the office keeps them
(R1, R2)."""

from __future__ import annotations

import io

import time_machine
from docx import Document

from tests.plugins.reporting.helpers import archive, item, patch

MEETING, HALF_YEAR, ASSEMBLY = ("reporting.committee_special_meeting",
                                "reporting.half_year_report", "reporting.assembly_report")
SECTIONS = [{"heading": "主要工作", "body": "一是抓學習。\n二是抓陣地。"},
            {"heading": "存在問題", "body": "網上輿論引導能力不足。"},
            {"heading": "下一步打算", "body": "持續落實責任制。"}]


@time_machine.travel("2026-09-01T10:00:00+08:00", tick=False)
def test_a_meeting_each_half_year_fulfils_r1_and_moves_with_its_date(reported):
    """R1: the committee studies ideology work in a special meeting every half-year."""
    office = reported.client("office")
    url = f"{reported.base}/reporting/meetings"
    created = office.post(url, json={
        "held_on": "2026-03-18", "start_time": "14:30", "title": "專題研究意識形態工作",
        "attendees": ["王建國", "李德明"], "agenda": "通報上半年情況", "decisions": "落實責任清單",
    }).assert_status(201).json
    assert created["unit_id"] == str(reported.units["committee"])
    first = item(reported, "2026H1", MEETING)
    assert (first["status"], first["source"], first["responsible_role"]) == (
        "fulfilled", "R1", "secretary")
    assert item(reported, "2026H2", MEETING)["done"] == 0
    patch(office, f"{url}/{created['id']}", {"held_on": "2026-08-20"}).assert_status(200)
    assert item(reported, "2026H1", MEETING)["status"] == "overdue"  # stays visible
    assert item(reported, "2026H2", MEETING)["status"] == "fulfilled"
    archive(office, f"{url}/{created['id']}").assert_status(204)
    assert item(reported, "2026H2", MEETING)["done"] == 0
    assert office.get(url).json == []


@time_machine.travel("2026-06-25T10:00:00+08:00", tick=False)
def test_half_year_report_counts_once_submitted_then_is_acknowledged(reported):
    """R1: a draft counts for nothing; submitted (date, recipient) it fulfils the half-year;
    the higher committee's acknowledgement closes it; what went up cannot be edited."""
    office = reported.client("office")
    url = f"{reported.base}/reporting/half-year-reports"
    draft = office.post(url, json={"period": "2026H1", "sections": SECTIONS}).assert_status(
        201).json
    assert draft["status"] == "draft" and draft["recipient"] == "上級黨委"
    assert draft["title"].endswith("關於2026年上半年意識形態工作情況的報告")
    assert item(reported, "2026H1", HALF_YEAR)["done"] == 0
    report_url = f"{url}/{draft['id']}"
    assert office.post(f"{report_url}/acknowledge", json={}).status_code == 409
    assert office.post(f"{report_url}/submit", json={
        "submitted_on": "2026-07-01"}).status_code == 422  # the future
    submitted = office.post(f"{report_url}/submit", json={
        "submitted_on": "2026-06-24", "recipient": "中共示範縣委"}).assert_status(200).json
    assert (submitted["status"], submitted["submitted_on"], submitted["recipient"]) == (
        "submitted", "2026-06-24", "中共示範縣委")
    obligation = item(reported, "2026H1", HALF_YEAR)
    assert obligation["status"] == "fulfilled"
    assert obligation["evidence"] == {"type": "reporting.half_year_report", "id": draft["id"]}
    assert patch(office, report_url, {"title": "改"}).status_code == 409
    assert office.post(f"{report_url}/submit", json={}).status_code == 409
    done = office.post(f"{report_url}/acknowledge", json={"note": "已收悉"}).assert_status(200)
    assert (done.json["status"], done.json["acknowledged_on"]) == ("acknowledged", "2026-06-25")
    assert item(reported, "2026H1", HALF_YEAR)["status"] == "fulfilled"
    archive(office, report_url).assert_status(204)
    assert item(reported, "2026H1", HALF_YEAR)["status"] == "due_soon"


@time_machine.travel("2026-07-05T10:00:00+08:00", tick=False)
def test_the_half_year_report_exports_as_the_docx_that_goes_upward(reported):
    office = reported.client("office")
    url = f"{reported.base}/reporting/half-year-reports"
    draft = office.post(url, json={"period": "2026H1", "sections": SECTIONS}).json
    office.post(f"{url}/{draft['id']}/submit", json={"submitted_on": "2026-07-03"})
    response = reported.client("viewer").get(f"{url}/{draft['id']}/export.docx")
    assert response.assert_status(200).headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    lines = [p.text for p in Document(io.BytesIO(response.raw.data)).paragraphs if p.text]
    assert lines[0] == draft["title"]
    assert lines[1] == "上級黨委："
    assert lines[2:4] == ["一、主要工作", "一是抓學習。"]
    assert "二、存在問題" in lines and "三、下一步打算" in lines
    assert lines[-2:] == [office.get(f"{reported.base}/units/{reported.units['committee']}")
                          .json["name"], "2026年7月3日"]
    audit = reported.client("secretary").get(
        f"{reported.base}/audit?action=reporting_half_year_report.export").json
    assert len(audit) == 1


def test_the_assembly_report_counts_only_with_an_ideology_section(reported):
    """R2: ideology work is an important part of the report to the party members' assembly."""
    office = reported.client("office")
    url = f"{reported.base}/reporting/assembly-reports"
    created = office.post(url, json={"delivered_on": "2026-04-08", "title": "黨委工作報告",
                                     "sections": [{"heading": "黨建工作", "body": "……"}]})
    assert created.assert_status(201).json["counts"] is False
    assert item(reported, "2026", ASSEMBLY)["done"] == 0
    changed = patch(office, f"{url}/{created.json['id']}", {"sections": [
        {"heading": "黨建工作", "body": "……"},
        {"heading": "意識形態工作", "body": "……", "ideology": True}]}).assert_status(200)
    assert changed.json["counts"] is True
    obligation = item(reported, "2026", ASSEMBLY)
    assert (obligation["status"], obligation["source"]) == ("fulfilled", "R2")


def test_bad_input_is_422_and_writes_nothing(reported):
    office = reported.client("office")
    base = f"{reported.base}/reporting"
    for path, payload, field in (
        ("meetings", {}, "held_on"),
        ("meetings", {"held_on": "2026-13-01", "title": "x"}, "held_on"),
        ("meetings", {"held_on": "2026-03-01", "title": "x", "room": 1}, "room"),
        ("half-year-reports", {"period": "2026H3"}, "period"),
        ("half-year-reports", {"period": "2026H1", "sections": [{"body": "x"}]}, "sections"),
        ("assembly-reports", {"delivered_on": "2026-03-01"}, "title"),
        ("situations", {"title": "x", "occurred_at": "2026-03-01T10:00:00"}, "occurred_at"),
        ("situations", {"title": "x", "occurred_at": "2099-03-01T10:00:00+08:00"},
         "occurred_at"),
    ):
        response = office.post(f"{base}/{path}", json=payload)
        assert response.status_code == 422, (path, payload)
        assert field in response.json["errors"]["json"], (field, response.json)
    draft = office.post(f"{base}/half-year-reports", json={"period": "2026H1"}).json
    empty = office.post(f"{base}/half-year-reports/{draft['id']}/submit", json={})
    assert empty.status_code == 422 and "sections" in empty.json["errors"]["json"]
    for path in ("meetings", "assembly-reports", "situations"):
        assert office.get(f"{base}/{path}?include_archived=true").json == []


def test_permissions_and_write_scope(reported):
    """The committee's records: leaders and the office write; a branch secretary, a unit
    head and the township administrator neither write nor read them; a viewer reads."""
    url = f"{reported.base}/reporting/meetings"
    meeting = {"held_on": "2026-03-01", "title": "專題會議"}
    for role in ("secretary", "deputy", "office"):
        reported.client(role).post(url, json=meeting).assert_status(201)
    for role in ("branch_secretary", "unit_head", "viewer", "member", "tenant_admin"):
        assert reported.client(role).post(url, json=meeting).status_code == 403, role
    for role in ("branch_secretary", "unit_head", "tenant_admin"):
        assert reported.client(role).get(url).status_code == 403, role
    assert len(reported.client("viewer").get(url).assert_status(200).json) == 3
    assert len(reported.client("member").get(url).assert_status(200).json) == 3


def test_disabled_module_is_absent_and_settings_are_validated(township):
    response = township.client("office").get(f"{township.base}/reporting/meetings")
    assert response.status_code == 404 and "reporting" in response.json["message"]
    admin = township.client("tenant_admin")
    url = f"{township.base}/plugins/reporting"
    for bad in ({"higher_committee": ""}, {"higher_committee": "x" * 201}, {"deadline": 2}):
        assert admin.put(url, json={"settings": bad}).status_code == 422, bad
    admin.put(url, json={"settings": {"higher_committee": "中共示範縣委",
                                      "issuing_committee": "中共龍爪鎮委員會"}}).assert_status(200)
    draft = township.client("office").post(f"{township.base}/reporting/half-year-reports",
                                           json={"period": "2026H2"}).assert_status(201)
    assert draft.json["recipient"] == "中共示範縣委"


@time_machine.travel("2026-06-25T10:00:00+08:00", tick=False)
def test_a_submitted_report_reaches_the_county_inbox(reported):
    """R1: what a township reports upward arrives in its county's inbox, and the township
    sees the county's acknowledgement; drafts never leave the township."""
    office = reported.client("office")
    url = f"{reported.base}/reporting/half-year-reports"
    draft = office.post(url, json={"period": "2026H1", "sections": SECTIONS}).json
    inbox_url = f"/api/v1/counties/{reported.county_slug}/inbox"
    county = reported.client("county_admin")
    assert county.get(inbox_url).assert_status(200).json == []
    office.post(f"{url}/{draft['id']}/submit", json={}).assert_status(200)
    [item_] = county.get(inbox_url).json
    assert (item_["kind"], item_["source_id"], item_["township"]["slug"]) == (
        "half_year_report", draft["id"], reported.slug)
    county.post(f"{inbox_url}/{item_['id']}/acknowledgement",
                json={"note": "已收悉"}).assert_status(201)
    [sent] = office.get(f"{reported.base}/outbox").assert_status(200).json
    assert sent["acknowledged_at"] is not None
