"""The approvals module's console pages (issue 15, item 5): an organiser drafts an
application from a pick list, submits it, a leader decides and the office files it — W6's
check (approved before the start, filed) shown at each step, through the services the API
calls, so the obligation turns as it does through the API."""

from __future__ import annotations

import re

import pytest

from tests.plugins.approvals.test_applications import at, w6_item

NOW = "2026-06-01"


def _pages(world) -> str:
    return f"/townships/{world.slug}/approvals"


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _post(client, form_path: str, data: dict, action: str | None = None):
    """Post ``data`` as the form on ``form_path`` would, with its CSRF token."""
    html = _html(client.get(form_path).assert_status(200))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(action or form_path, data={"csrf_token": token, **data})


def _draft(world, role: str = "office", **changes) -> tuple:
    fields = {"title": "二十屆四中全會精神宣講報告會", "kind": "lecture",
              "organiser_unit_id": str(world.units["station-1"]),
              "responsible_person": "田站長", "starts_at": "2026-06-10T14:00",
              "ends_at": "2026-06-10T16:00", "venue": "綜合文化站多功能廳",
              "expected_participants": "120", "summary": "區委宣講團專題宣講", **changes}
    return _post(world.client(role), f"{_pages(world)}/applications/new", fields), fields


@pytest.fixture
def town(approvals, time_machine):
    time_machine.move_to(at(NOW))
    return approvals


def test_an_application_goes_from_draft_to_filed_and_counts_for_w6(town, time_machine):
    response, _fields = _draft(town)
    assert response.status_code == 302
    page = response.headers["Location"]
    app_id = page.rsplit("/", 1)[-1]
    html = _html(town.client("office").get(page).assert_status(200))
    assert "二十屆四中全會精神宣講報告會" in html and "綜合文化站" in html
    assert "2026年6月10日" in html  # the local start, as typed (the township's clock)
    office, secretary = town.client("office"), town.client("secretary")
    _post(office, page, {}, f"{page}/submit").assert_status(302)
    assert w6_item(town, app_id)["status"] in ("upcoming", "due_soon")
    time_machine.move_to(at("2026-06-05"))
    _post(secretary, page, {"decision": "approved"}, f"{page}/decision").assert_status(302)
    check = _html(secretary.get(page)).split('class="w6-check"')[1].split("</section>")[0]
    assert 'class="status status-fulfilled"' in check  # approved before the start
    _post(office, page, {"reference": "龍宣備〔2026〕18號", "filed_with": "區委宣傳部"},
          f"{page}/filing").assert_status(302)
    assert w6_item(town, app_id)["status"] == "fulfilled"
    listed = _html(office.get(f"{_pages(town)}/?status=filed"))
    assert "二十屆四中全會精神宣講報告會" in listed


def test_an_approval_after_the_start_is_shown_late_and_does_not_count(town, time_machine):
    response, _ = _draft(town)
    page = response.headers["Location"]
    app_id = page.rsplit("/", 1)[-1]
    office, secretary = town.client("office"), town.client("secretary")
    _post(office, page, {}, f"{page}/submit").assert_status(302)
    time_machine.move_to(at("2026-06-11"))
    _post(secretary, page, {"decision": "approved"}, f"{page}/decision").assert_status(302)
    html = _html(secretary.get(page))
    assert 'class="status status-overdue"' in html  # W6 not met, in colour and words
    _post(office, page, {"reference": "補備〔2026〕1號", "filed_with": "區委宣傳部"},
          f"{page}/filing").assert_status(302)
    assert w6_item(town, app_id)["status"] != "fulfilled"
    assert app_id in _html(office.get(f"{_pages(town)}/?flag=late"))


def test_bad_input_keeps_the_values_and_names_the_field(town):
    before = town.client("office").get(f"{town.base}/approvals/applications").json
    response, fields = _draft(town, ends_at="2026-06-10T12:00", title="")
    assert response.status_code == 422
    html = _html(response)
    assert 'id="title-error"' in html or 'aria-invalid="true"' in html
    assert fields["venue"] in html  # what was typed is still there
    assert town.client("office").get(f"{town.base}/approvals/applications").json == before
    response, _ = _draft(town, ends_at="2026-06-10T12:00")
    assert response.status_code == 422 and 'id="ends_at-error"' in _html(response)


def test_a_branch_secretary_cannot_organise_for_another_unit(town):
    response, _ = _draft(town, "branch_secretary")
    assert response.status_code in (403, 422)
    assert town.client("office").get(f"{town.base}/approvals/applications").json == []


def test_a_viewer_reads_but_is_offered_no_step(town):
    response, _ = _draft(town)
    page = response.headers["Location"]
    viewer = town.client("viewer")
    html = _html(viewer.get(page).assert_status(200))
    assert "/submit" not in html and "/decision" not in html and "/filing" not in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    viewer.post(f"{page}/submit", data={"csrf_token": token}).assert_status(403)
