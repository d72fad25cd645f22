"""The reporting module's console pages (issue 14, item 5): meetings, the half-year report
with its .docx, and major situations with R3's clock — recorded through the pages by the
same services as the API, so the obligations turn as they do through the API."""

from __future__ import annotations

import re

import pytest
import time_machine

from tests.plugins.reporting.helpers import item, patch
from zerenzhi.testing import ApiClient

NOW = "2026-05-20T10:00:00+08:00"
MEETING = "reporting.committee_special_meeting"
HALF_YEAR = "reporting.half_year_report"


def _pages(world) -> str:
    return f"/townships/{world.slug}/reporting"


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _csrf(client: ApiClient, path: str) -> str:
    html = _html(client.get(path).assert_status(200))
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _post(client: ApiClient, form_path: str, data: dict, action: str | None = None):
    """Post ``data`` as the form on ``form_path`` would (its CSRF token included)."""
    token = _csrf(client, form_path)
    return client.post(action or form_path, data={"csrf_token": token, **data})


@pytest.fixture
def demo(reported):
    """The reporting demo's records (meetings, reports, situations) in the township."""
    from zerenzhi import plugin_settings
    from zerenzhi.plugins.reporting.demo import fill

    with reported.scope() as sess:
        fill(sess, plugin_settings("reporting"))
        sess.commit()
    return reported


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("role", ["secretary", "office", "deputy", "viewer"])
def test_the_pages_render_for_every_reader(demo, role):
    client = demo.client(role)
    html = _html(client.get(f"{_pages(demo)}/").assert_status(200))
    assert "鎮黨委專題研究意識形態工作會議（上半年）" in html and "R3" in html
    assert "2026年3月20日" in html  # dates in the page's language (zh-Hant by default)
    assert 'data-clock="awaiting_report"' in html or 'data-clock="overdue"' in html
    assert not re.search(r">[^<]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", html)  # no raw ids
    api = demo.client("office")
    meeting = api.get(f"{demo.base}/reporting/meetings").json[0]
    report = api.get(f"{demo.base}/reporting/half-year-reports").json[0]
    situation = api.get(f"{demo.base}/reporting/situations").json[0]
    for path in (f"meetings/{meeting['id']}", f"half-year-reports/{report['id']}",
                 f"situations/{situation['id']}"):
        client.get(f"{_pages(demo)}/{path}").assert_status(200)
    can_write = role != "viewer"
    assert (client.get(f"{_pages(demo)}/meetings/new").status_code == 200) is can_write
    assert ("Record a meeting" in html or "記錄會議" in html) is can_write


@time_machine.travel(NOW, tick=False)
def test_recording_a_meeting_on_the_page_fulfils_r1_as_the_api_does(reported):
    office = reported.client("office")
    assert item(reported, "2026H1", MEETING)["status"] != "fulfilled"
    home = _html(office.get(f"/townships/{reported.slug}/").assert_status(200))
    assert re.search(rf'data-rule="{MEETING}" data-unit="[^"]*" data-status="upcoming"', home)
    answer = _post(office, f"{_pages(reported)}/meetings/new", {
        "title": "專題研究意識形態工作", "held_on": "2026-05-18", "start_time": "14:30",
        "attendees": ["secretary " + reported.slug], "others": "列席：宣傳委員\n",
        "agenda": "通報情況", "decisions": "落實責任清單"})
    assert answer.status_code == 302
    meetings = office.get(f"{reported.base}/reporting/meetings").assert_status(200).json
    assert len(meetings) == 1
    assert meetings[0]["attendees"] == ["secretary " + reported.slug, "列席：宣傳委員"]
    assert (meetings[0]["held_on"], meetings[0]["start_time"]) == ("2026-05-18", "14:30:00")
    assert item(reported, "2026H1", MEETING)["status"] == "fulfilled"
    home = _html(office.get(f"/townships/{reported.slug}/").assert_status(200))
    assert re.search(rf'data-rule="{MEETING}" data-unit="[^"]*" data-status="fulfilled"', home)
    page = _html(office.get(answer.headers["Location"]).assert_status(200))
    assert "專題研究意識形態工作" in page and "2026年5月18日" in page


@time_machine.travel(NOW, tick=False)
def test_bad_input_re_renders_in_the_page_language_and_writes_nothing(reported):
    office = reported.client("office")
    answer = _post(office, f"{_pages(reported)}/meetings/new",
                   {"title": "", "held_on": "2026-06-30"})  # no title, in the future
    assert answer.status_code == 422
    html = _html(answer)
    assert 'aria-invalid="true"' in html and 'class="form-errors"' in html
    assert "Please correct" not in html  # in the page's language (zh-Hant)
    assert "Missing data" not in html  # marshmallow's English is translated
    assert office.get(f"{reported.base}/reporting/meetings").json == []
    assert item(reported, "2026H1", MEETING)["done"] == 0


@time_machine.travel(NOW, tick=False)
def test_an_edit_over_someone_else_s_change_is_refused(reported):
    office = reported.client("office")
    url = f"{reported.base}/reporting/meetings"
    created = office.post(url, json={"held_on": "2026-03-18", "title": "原標題"}).json
    edit = f"{_pages(reported)}/meetings/{created['id']}/edit"
    form = _html(office.get(edit).assert_status(200))
    shown = re.search(r'name="version" value="([^"]+)"', form).group(1)
    patch(office, f"{url}/{created['id']}", {"title": "別人改的"}).assert_status(200)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    refused = office.post(edit, data={"csrf_token": token, "version": shown,
                                             "title": "我的修改", "held_on": "2026-03-18"})
    assert refused.status_code == 422
    assert "別人改的" in _html(refused)  # the current version is shown
    assert office.get(f"{url}/{created['id']}").json["title"] == "別人改的"
    saved = _post(office, edit, {"version": re.search(
        r'name="version" value="([^"]+)"', _html(office.get(edit))).group(1),
        "title": "我的修改", "held_on": "2026-04-01"})
    assert saved.status_code == 302
    assert office.get(f"{url}/{created['id']}").json["title"] == "我的修改"
    archived = _post(office, f"{_pages(reported)}/meetings/{created['id']}", {
        "version": re.search(r'name="version" value="([^"]+)"', _html(office.get(
            f"{_pages(reported)}/meetings/{created['id']}"))).group(1)},
        action=f"{_pages(reported)}/meetings/{created['id']}/archive")
    assert archived.status_code == 302
    assert office.get(url).json == [] and item(reported, "2026H1", MEETING)["done"] == 0


@time_machine.travel(NOW, tick=False)
def test_a_half_year_report_drafted_edited_submitted_and_downloaded(reported):
    office = reported.client("office")
    started = _post(office, f"{_pages(reported)}/half-year-reports/new", {
        "period": "2026H1", "heading": ["主要工作", ""], "body": ["一是抓學習。", ""]})
    assert started.status_code == 302
    report = office.get(f"{reported.base}/reporting/half-year-reports").json[0]
    assert report["sections"] == [{"heading": "主要工作", "body": "一是抓學習。"}]
    assert report["status"] == "draft" and report["recipient"] == "上級黨委"
    page = f"{_pages(reported)}/half-year-reports/{report['id']}"
    edit = f"{page}/edit"
    version = re.search(r'name="version" value="([^"]+)"', _html(office.get(edit))).group(1)
    assert _post(office, edit, {
        "version": version, "title": report["title"], "recipient": "中共示範縣委",
        "heading": ["主要工作", "存在問題", ""],
        "body": ["一是抓學習。", "網上輿論引導能力不足。", ""]}).status_code == 302
    edited = office.get(f"{reported.base}/reporting/half-year-reports/{report['id']}").json
    assert [s["heading"] for s in edited["sections"]] == ["主要工作", "存在問題"]
    assert item(reported, "2026H1", HALF_YEAR)["done"] == 0  # a draft counts for nothing
    assert _post(office, page, {"submitted_on": "2026-05-19", "recipient": "中共示範縣委"},
                 action=f"{page}/submit").status_code == 302
    assert item(reported, "2026H1", HALF_YEAR)["status"] == "fulfilled"
    receipt = re.search(r'id="county-receipt">([^<]*)<', _html(office.get(page)))
    assert receipt is not None  # R1 went upward: the county's receipt (none yet) is shown
    [sent] = reported.client("county_viewer").get(
        f"/api/v1/counties/{reported.county_slug}/inbox").assert_status(200).json
    assert sent["due_at"] and sent["late"] is False  # R1's half-year deadline, met
    docx = office.get(f"{page}/export.docx").assert_status(200)
    api = office.get(f"{reported.base}/reporting/half-year-reports/{report['id']}/export.docx")
    assert docx.raw.data == api.raw.data and docx.raw.mimetype == api.raw.mimetype
    assert "attachment" in docx.raw.headers["Content-Disposition"]
    assert office.get(edit).status_code == 200  # the page opens; the service refuses saving
    refused = _post(office, edit, {"version": re.search(
        r'name="version" value="([^"]+)"', _html(office.get(edit))).group(1), "title": "改"})
    assert refused.status_code == 422
    assert office.get(f"{reported.base}/reporting/half-year-reports/{report['id']}"
                      ).json["title"] != "改"
    assert _post(office, page, {"acknowledged_on": "2026-05-20", "note": "已收悉"},
                 action=f"{page}/acknowledge").status_code == 302
    acknowledged = office.get(f"{reported.base}/reporting/half-year-reports/{report['id']}").json
    assert (acknowledged["status"], acknowledged["acknowledgement"]) == ("acknowledged", "已收悉")
    version = re.search(r'name="version" value="([^"]+)"', _html(office.get(page))).group(1)
    assert _post(office, page, {"version": version},
                 action=f"{page}/archive").status_code == 302
    assert item(reported, "2026H1", HALF_YEAR)["status"] != "fulfilled"


def test_a_situation_shows_its_clock_and_is_reported_on_the_page(reported):
    office = reported.client("office")
    with time_machine.travel("2026-05-01T08:00:00+08:00", tick=False):
        answer = _post(office, f"{_pages(reported)}/situations/new", {
            "title": "網上出現涉鎮負面輿情", "occurred_at": "2026-05-01T08:00"})
        assert answer.status_code == 302
        situation = office.get(f"{reported.base}/reporting/situations").json[0]
        assert situation["due_at"].startswith("2026-05-02T00:00:00")  # 08:00 local + 24 h
    with time_machine.travel("2026-05-01T20:00:00+08:00", tick=False):
        page = _html(office.get(answer.headers["Location"]).assert_status(200))
        assert 'data-clock="awaiting_report"' in page and "12" in page
        assert re.search(r"12\s*(h|小時)\s*0\s*(min|分)", page)
    with time_machine.travel("2026-05-02T09:30:00+08:00", tick=False):
        page = _html(office.get(answer.headers["Location"]))
        assert 'data-clock="overdue"' in page and re.search(r"1\s*(h|小時)\s*30", page)
        path = answer.headers["Location"]
        bad = _post(office, path, {"content": "已核實", "proposals": ""},
                    action=f"{path}/reports")
        assert bad.status_code == 422 and office.get(
            f"{reported.base}/reporting/situations/{situation['id']}").json["reports"] == []
        done = _post(office, path, {"content": "已核實處置。", "proposals": "加強研判。",
                                    "reported_at": "2026-05-02T09:00"}, action=f"{path}/reports")
        assert done.status_code == 302
        shown = office.get(f"{reported.base}/reporting/situations/{situation['id']}").json
        assert shown["status"] == "reported_late" and shown["reports"][0]["late"] is True
        assert 'data-clock="reported_late"' in _html(office.get(path))
        receipt = _html(office.get(path)).split('class="county-receipt"')[1].split("</p>")[0]
        assert "2026" in receipt and "簽收意見" not in receipt  # sent, not yet acknowledged
        county = f"/api/v1/counties/{reported.county_slug}/inbox"
        item = reported.client("county_admin").get(
            f"{county}?kind=major_situation_report").assert_status(200).json[0]
        reported.client("county_admin").post(f"{county}/{item['id']}/acknowledgement",
                                             json={"note": "簽收意見：已閱"}).assert_status(201)
        assert "簽收意見：已閱" in _html(office.get(path))  # R3: the receipt on its page


def test_a_disabled_module_s_pages_are_not_found(township):
    assert township.client("secretary").get(f"{_pages(township)}/").status_code == 404


def test_a_role_without_the_permission_is_refused(reported):
    reported.client("unit_head").get(f"{_pages(reported)}/").assert_status(403)
    reported.client("viewer").get(f"{_pages(reported)}/meetings/new").assert_status(403)
    viewer = reported.client("viewer")
    token = _csrf(viewer, f"{_pages(reported)}/")
    assert viewer.post(f"{_pages(reported)}/situations/new", data={
        "csrf_token": token, "title": "x"}).status_code == 403
    assert reported.client("office").get(f"{reported.base}/reporting/situations").json == []
