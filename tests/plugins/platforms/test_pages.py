"""The platforms module's console pages (issue 15, item 5): an incident recorded from the
page starts P2's first-report clock from its detection, the clock shows the time left and
then overdue, a report step on the timeline fulfils it; the channel register with its
filing and a quarter's review (P1) — the API's services, so obligations turn as they do
through the API."""

from __future__ import annotations

import re

import pytest

from tests.plugins.platforms.support import register, summary_item
from zerenzhi.testing import ApiClient

RULE = "platforms.incident_report"


def _pages(world) -> str:
    return f"/townships/{world.slug}/platforms"


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _post(client: ApiClient, form_path: str, data: dict, action: str | None = None):
    html = _html(client.get(form_path).assert_status(200))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(action or form_path, data={"csrf_token": token, **data})


INCIDENT = {"title": "村廣播被插播不當內容", "category": "opinion", "severity": "major",
            "description": "錄音被轉發至多個微信群。", "detected_at": "2026-09-10T08:40"}


@pytest.fixture
def incident(world, time_machine):
    time_machine.move_to("2026-09-10T09:10:00+08:00", tick=False)
    office = world.client("office")
    response = _post(office, f"{_pages(world)}/incidents/new",
                     {**INCIDENT, "unit_id": str(world.units["village-1"])})
    assert response.status_code == 302, _html(response)[:500]
    return response.headers["Location"]


def test_the_clock_runs_from_the_detection_and_a_report_stops_it(world, incident,
                                                                time_machine):
    office = world.client("office")
    html = _html(office.get(incident).assert_status(200))
    assert 'data-report-state="pending"' in html
    assert 'data-minutes-left="90"' in html  # 2 h from 08:40, at 09:10
    index = _html(office.get(f"{_pages(world)}/").assert_status(200))
    assert "村廣播被插播不當內容" in index and 'data-report-state="pending"' in index
    time_machine.move_to("2026-09-10T11:00:00+08:00", tick=False)
    html = _html(office.get(incident))
    assert 'data-report-state="overdue"' in html and 'data-minutes-left="-20"' in html
    _post(office, incident, {"kind": "report", "at": "2026-09-10T10:55",
                             "actor": "黨委辦", "action": "電話報告區委宣傳部",
                             "reported_to": "區委宣傳部"},
          f"{incident}/timeline").assert_status(302)
    html = _html(office.get(incident))
    assert 'data-report-state="late"' in html and 'data-kind="report"' in html
    assert summary_item(world, "2026", RULE, "committee")["status"] == "fulfilled"
    inbox = world.client("county_viewer").get(
        f"/api/v1/counties/{world.county_slug}/inbox?kind=incident_report").assert_status(200).json
    assert [(i["title"], i["late"]) for i in inbox] == [("村廣播被插播不當內容", True)]  # P2
    _post(office, incident, {"kind": "report", "at": "2026-09-10T10:58", "actor": "黨委辦",
                             "action": "續報處置進展", "reported_to": "區委宣傳部"},
          f"{incident}/timeline").assert_status(302)
    again = world.client("county_viewer").get(
        f"/api/v1/counties/{world.county_slug}/inbox?kind=incident_report").json
    assert again == inbox  # a follow-up stays on the timeline; the first report was sent up
    world.client("county_admin").post(
        f"/api/v1/counties/{world.county_slug}/inbox/{inbox[0]['id']}/acknowledgement",
        json={"note": "已閱，請續報"}).assert_status(201)
    receipt = _html(office.get(incident)).split('class="county-receipt"')[1].split("</p>")[0]
    assert "已閱，請續報" in receipt  # P2: the county's receipt on the incident's page


def test_a_bad_step_keeps_what_was_typed_and_writes_nothing(world, incident):
    office = world.client("office")
    response = _post(office, incident, {"kind": "report", "actor": "黨委辦",
                                        "action": "", "reported_to": "區委宣傳部"},
                     f"{incident}/timeline")
    assert response.status_code == 422
    assert 'id="action-error"' in _html(response) and "區委宣傳部" in _html(response)
    assert 'data-kind="report"' not in _html(office.get(incident))


def test_a_reader_may_not_record_an_incident(world, time_machine):
    time_machine.move_to("2026-09-10T09:10:00+08:00", tick=False)
    viewer = world.client("viewer")
    viewer.get(f"{_pages(world)}/incidents/new").assert_status(403)
    html = _html(viewer.get(f"{_pages(world)}/").assert_status(200))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    viewer.post(f"{_pages(world)}/incidents/new", data={
        "csrf_token": token, **INCIDENT, "unit_id": str(world.units["village-1"])}
    ).assert_status(403)
    assert world.client("office").get(f"{world.base}/platforms/incidents").json == []


def test_a_channel_is_registered_with_its_filing_and_reviewed(world, time_machine):
    time_machine.move_to("2026-09-10T09:10:00+08:00", tick=False)
    office = world.client("office")
    response = _post(office, f"{_pages(world)}/channels/new", {
        "name": "東村廣播站", "kind": "village_broadcast", "account": "dongcun-radio",
        "unit_id": str(world.units["village-1"]),
        "responsible_member_id": str(world.users["unit_head"]), "opened_on": "2026-01-05",
        "filing_filed_on": "2026-01-05", "filing_reference": "網信備〔2026〕7號",
        "filing_filed_with": "縣委網信辦"})
    assert response.status_code == 302, _html(response)[:400]
    page = response.headers["Location"]
    assert "網信備〔2026〕7號" in _html(office.get(page))
    _post(office, page, {"reviewed_on": "2026-09-09", "update_frequency": "daily",
                         "content_checked": "播出節目單和播前審核登記"},
          f"{page}/reviews").assert_status(302)
    assert 'data-quarter="2026Q3"' in _html(office.get(page))


def test_a_channel_without_its_filing_is_refused(world):
    office = world.client("office")
    response = _post(office, f"{_pages(world)}/channels/new", {
        "name": "東村廣播站", "kind": "village_broadcast", "account": "dongcun-radio",
        "unit_id": str(world.units["village-1"]),
        "responsible_member_id": str(world.users["unit_head"]), "filing_reference": ""})
    assert response.status_code == 422 and 'id="filing-error"' in _html(response)
    assert office.get(f"{world.base}/platforms/channels").json == []


def test_readers_see_the_register_but_no_forms(world):
    register(world)
    viewer = world.client("viewer")
    html = _html(viewer.get(f"{_pages(world)}/").assert_status(200))
    assert "/incidents/new" not in html and "/channels/new" not in html
