"""The inspection module's console pages (issue 14, item 5): campaigns with the coverage of
every village and station, checks, ratings and the interview they start, findings and their
rectification — recorded through pick lists by the services the API calls, so obligations
turn as they do through the API."""

from __future__ import annotations

import re

import pytest

from tests.plugins.inspection.helpers import at, campaign, summary_item
from zerenzhi.testing import ApiClient

NOW = "2026-06-01"


def _pages(world) -> str:
    return f"/townships/{world.slug}/inspection"


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _post(client: ApiClient, form_path: str, data: dict, action: str | None = None):
    """Post ``data`` as the form on ``form_path`` would, with its CSRF token."""
    html = _html(client.get(form_path).assert_status(200))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(action or form_path, data={"csrf_token": token, **data})


@pytest.fixture
def inspected(town, time_machine):
    """A campaign with a check, a "prominent problems" rating and a finding with a plan."""
    time_machine.move_to(at(NOW))
    office = town.client("office")
    made = campaign(office, town)
    base = f"{town.base}/inspection/campaigns/{made['id']}"
    office.post(f"{base}/checks", json={"unit_id": str(town.units["station-1"]),
                                        "method": "key"}).assert_status(201)
    office.post(f"{base}/ratings", json={"unit_id": str(town.units["village-1"]),
                                         "rating": "prominent_problems"}).assert_status(200)
    office.post(f"{town.base}/inspection/findings", json={
        "campaign_id": made["id"], "unit_id": str(town.units["village-1"]),
        "severity": "serious", "description": "支部集中學習記錄不全", "plan": "補課",
        "owner": "村支書", "deadline": "2026-06-20"}).assert_status(201)
    town.records["campaign"] = made["id"]
    return town


@pytest.mark.parametrize("role", ["secretary", "office", "unit_head", "branch_secretary",
                                  "viewer"])
def test_the_pages_render_for_every_reader(inspected, role):
    client = inspected.client(role)
    index = _html(client.get(f"{_pages(inspected)}/").assert_status(200))
    assert "2026年上半年意識形態工作專題督查" in index and "支部集中學習記錄不全" in index
    assert "東村村委會" in index and "2026年6月20日" in index
    page = _html(client.get(f"{_pages(inspected)}/campaigns/{inspected.records['campaign']}")
                 .assert_status(200))
    assert re.search(r'data-unit="village-1" data-covered="false"', page)  # not yet
    assert re.search(r'data-unit="station-1" data-covered="false"', page)
    assert "0/2" in index or "0 / 2" in index
    finding = inspected.client("office").get(f"{inspected.base}/inspection/findings").json[0]
    detail = _html(client.get(f"{_pages(inspected)}/findings/{finding['id']}")
                   .assert_status(200))
    assert 'data-finding-status="rectifying"' in detail
    client.get(f"{_pages(inspected)}/findings?open=true&unit_id=&campaign_id=").assert_status(200)
    for html in (index, page, detail):
        assert not re.search(r">[^<]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", html)  # no ids


def test_a_campaign_started_on_the_page_is_the_api_s(town, time_machine):
    time_machine.move_to(at(NOW))
    office = town.client("office")
    answer = _post(office, f"{_pages(town)}/campaigns/new", {
        "title": "上半年專題督查", "started_on": "2026-05-20", "period": "", "plan": "全面自查"})
    assert answer.status_code == 302
    made = office.get(f"{town.base}/inspection/campaigns").json
    assert [(c["title"], c["period"], c["coverage"]["covered"]) for c in made] == [
        ("上半年專題督查", "2026H1", 0)]
    page = _html(office.get(answer.headers["Location"]).assert_status(200))
    assert "東村村委會" in page and "文化站" in page  # every unit not yet covered


def test_a_prominent_rating_on_the_page_starts_the_interview_the_page_records(
        town, time_machine):
    time_machine.move_to(at(NOW))
    office, deputy = town.client("office"), town.client("deputy")
    made = campaign(office, town)
    page = f"{_pages(town)}/campaigns/{made['id']}"
    assert _post(office, page, {"unit_id": str(town.units["village-1"]), "method": "on_site",
                                "checked_on": "2026-06-01", "inspectors": "辦公室"},
                 action=f"{page}/checks").status_code == 302
    checks = office.get(f"{town.base}/inspection/campaigns/{made['id']}/checks").json
    assert [(c["method"], c["unit_id"]) for c in checks] == [
        ("on_site", str(town.units["village-1"]))]
    assert _post(office, page, {"unit_id": str(town.units["village-1"]),
                                "rating": "prominent_problems", "note": "落實不到位"},
                 action=f"{page}/ratings").status_code == 302
    rated = office.get(f"{town.base}/inspection/campaigns/{made['id']}/ratings").json[0]
    assert rated["interview_obligation"]["status"] == "upcoming"
    assert summary_item(office, town, "2026H1", "inspection.interview", "village-1")[
        "status"] == "upcoming"
    form = f"{_pages(town)}/interviews/new?rating={rated['id']}"
    assert "東村村委會" in _html(deputy.get(form).assert_status(200))
    answer = _post(deputy, form, {"rating_id": rated["id"], "held_on": "2026-06-05",
                                  "content": "指出問題，提出整改要求"},
                   action=f"{_pages(town)}/interviews/new")
    assert answer.status_code == 302
    held = office.get(f"{town.base}/inspection/interviews").json
    assert held[0]["interviewee"].startswith("unit_head") and held[0]["held_by"].startswith(
        "deputy")
    assert summary_item(office, town, "2026H1", "inspection.interview", "village-1")[
        "status"] == "fulfilled"


def test_a_finding_is_rectified_and_verified_through_the_pages(town, time_machine):
    time_machine.move_to(at(NOW))
    office, head = town.client("office"), town.client("unit_head")
    answer = _post(office, f"{_pages(town)}/findings/new", {
        "campaign_id": "", "unit_id": str(town.units["village-1"]), "severity": "minor",
        "description": "宣傳欄內容長期未更新", "found_on": "2026-05-30", "plan": "每月更新",
        "owner": "村主任", "deadline": "2026-06-10"})
    assert answer.status_code == 302
    finding = office.get(f"{town.base}/inspection/findings").json[0]
    assert (finding["status"], finding["deadline"], finding["campaign_id"]) == (
        "rectifying", "2026-06-10", None)
    rule = ("inspection.rectification", "village-1")
    assert summary_item(office, town, "2026H1", *rule)["status"] in ("upcoming", "due_soon")
    path = answer.headers["Location"]
    assert _post(head, path, {"evidence": "已更新宣傳欄並明確專人"},
                 action=f"{path}/rectification").status_code == 302
    assert office.get(f"{town.base}/inspection/findings/{finding['id']}").json[
        "status"] == "awaiting_verification"
    assert _post(office, path, {"accepted": "true", "note": "已現場查看"},
                 action=f"{path}/verification").status_code == 302
    done = office.get(f"{town.base}/inspection/findings/{finding['id']}").json
    assert done["status"] == "verified" and done["rectification_obligation"]["status"] == (
        "fulfilled")
    assert summary_item(office, town, "2026H1", *rule)["status"] == "fulfilled"
    home = _html(office.get(f"/townships/{town.slug}/").assert_status(200))
    assert re.search(r'data-rule="inspection.rectification" data-unit="village-1" '
                     r'data-status="fulfilled"', home)


def test_bad_input_re_renders_in_the_page_language_and_writes_nothing(town, time_machine):
    time_machine.move_to(at(NOW))
    office = town.client("office")
    missing = _post(office, f"{_pages(town)}/findings/new", {
        "unit_id": "", "severity": "", "description": ""})
    assert missing.status_code == 422
    html = _html(missing)
    assert html.count('aria-invalid="true"') >= 3 and "Missing data" not in html
    half = _post(office, f"{_pages(town)}/findings/new", {
        "unit_id": str(town.units["village-1"]), "severity": "minor", "description": "問題",
        "plan": "整改", "owner": "村主任"})  # a plan without a deadline
    assert half.status_code == 422
    assert "a rectification plan has" not in _html(half)  # the service's message, translated
    assert office.get(f"{town.base}/inspection/findings").json == []
    late = _post(office, f"{_pages(town)}/campaigns/new", {
        "title": "督查", "started_on": "2026-05-20", "ended_on": "2026-05-01"})
    assert late.status_code == 422 and office.get(f"{town.base}/inspection/campaigns").json == []


def test_a_disabled_module_s_pages_are_not_found(township):
    assert township.client("secretary").get(f"{_pages(township)}/").status_code == 404


def test_a_role_without_the_permission_is_refused(town):
    town.client("tenant_admin").get(f"{_pages(town)}/").assert_status(403)
    viewer = town.client("viewer")
    viewer.get(f"{_pages(town)}/campaigns/new").assert_status(403)
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      _html(viewer.get(f"{_pages(town)}/"))).group(1)
    assert viewer.post(f"{_pages(town)}/campaigns/new", data={
        "csrf_token": token, "title": "x", "started_on": "2026-05-20"}).status_code == 403
    assert town.client("office").get(f"{town.base}/inspection/campaigns").json == []


def test_a_unit_fills_in_its_self_inspection_on_the_page(town, time_machine):
    time_machine.move_to(at(NOW))
    office, head = town.client("office"), town.client("unit_head")
    made = campaign(office, town)
    page = f"{_pages(town)}/campaigns/{made['id']}/self-inspection"
    form = _html(head.get(page).assert_status(200))
    assert "東村村委會" in form and "文化站" not in form  # only the head's own unit
    keys = sorted(set(re.findall(r'name="answer-([a-z_]+)"', form)))
    assert len(keys) >= 5
    unit = str(town.units["village-1"])
    short = _post(head, page, {"unit_id": unit, "submit": "true", f"answer-{keys[0]}": "yes"})
    assert short.status_code == 422  # submitting needs every item answered
    foreign = _post(head, page, {"unit_id": str(town.units["station-1"]),
                                 **{f"answer-{k}": "yes" for k in keys}})
    assert foreign.status_code == 403
    assert office.get(f"{town.base}/inspection/campaigns/{made['id']}/checks").json == []
    done = _post(head, page, {"unit_id": unit, "submit": "true",
                              **{f"answer-{k}": "yes" for k in keys}, f"answer-{keys[0]}": "no"})
    assert done.status_code == 302
    shown = office.get(f"{town.base}/inspection/campaigns/{made['id']}").json
    assert shown["coverage"]["covered"] == 1
    assert [u["code"] for u in shown["coverage"]["not_covered"]] == ["station-1"]
    checks = office.get(f"{town.base}/inspection/campaigns/{made['id']}/checks").json
    assert checks[0]["answers"][keys[0]] == "no" and checks[0]["covers"] is True
    html = _html(office.get(f"{_pages(town)}/campaigns/{made['id']}"))
    assert 'data-unit="village-1" data-covered="true"' in html
