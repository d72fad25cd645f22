"""The accountability module's console pages (issue 15, item 5): a leader opens a case with
its circumstances ticked (K6, K13), starts the investigation, proposes a severity and
sanctions from the table (a heavier severity's sanction refused, nothing written) and refers
it; only the case readers see it — the township's admin gets the 403 page, as from the API —
and every page that shows cases is audited as the API's reads are."""

from __future__ import annotations

import re

import pytest
import time_machine

from tests.plugins.accountability.support import audit, open_case

NOW = "2026-10-12T10:00:00+08:00"


def _pages(world) -> str:
    return f"/townships/{world.slug}/accountability"


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _post(client, form_path: str, data: dict, action: str | None = None):
    html = _html(client.get(form_path).assert_status(200))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(action or form_path, data={"csrf_token": token, **data})


@time_machine.travel(NOW, tick=False)
def test_a_case_goes_from_opening_to_referral_on_the_pages(world):
    secretary = world.client("secretary")
    response = _post(secretary, f"{_pages(world)}/cases/new", {
        "title": "東村廣播陣地管理失職", "subject_kind": "leading_cadre",
        "subject_unit_id": str(world.units["village-1"]), "subject_post": "村委會主任",
        "subject_member_id": str(world.users["unit_head"]),
        "circumstances": ["K6", "K13"], "facts": "廣播轉播未經審核的外來音頻。"})
    assert response.status_code == 302, re.findall(r'class="error"[^>]*>([^<]*)',
                                                    _html(response))
    page = response.headers["Location"]
    case_id = page.rsplit("/", 1)[-1]
    html = _html(secretary.get(page))
    assert "K6" in html and "K13" in html and 'data-case-status="opened"' in html
    _post(secretary, page, {"note": "調閱播出記錄"}, f"{page}/investigation").assert_status(302)
    refused = _post(secretary, page, {"severity": "minor", "sanctions": ["public_criticism"],
                                      "reasoning": "情節較輕。"}, f"{page}/decision")
    assert refused.status_code == 422 and 'id="sanctions-error"' in _html(refused)
    api = world.client("secretary").get(f"{world.base}/accountability/cases/{case_id}").json
    assert api["status"] == "investigating" and api["sanctions"] == []  # nothing written
    _post(secretary, page, {"severity": "minor", "sanctions": [
        "written_self_criticism", "admonishment_talk"], "reasoning": "情節較輕，已整改。"},
        f"{page}/decision").assert_status(302)
    _post(secretary, page, {"reference": "委報〔2026〕12號"}, f"{page}/referral") \
        .assert_status(302)
    html = _html(secretary.get(page))
    assert 'data-case-status="referred"' in html and "委報〔2026〕12號" in html


@time_machine.travel(NOW, tick=False)
def test_every_page_that_shows_a_case_is_audited_as_the_api_reads_are(world):
    case = open_case(world)
    before = len(audit(world, action="accountability.case.read"))
    world.client("viewer").get(f"{_pages(world)}/cases/{case['id']}").assert_status(200)
    world.client("deputy").get(f"{_pages(world)}/").assert_status(200)
    reads = audit(world, action="accountability.case.read")
    assert len(reads) == before + 2
    assert {r["target_id"] for r in reads[:2]} == {case["id"], None}  # the case, the page


@pytest.mark.parametrize("role", ["tenant_admin", "office", "branch_secretary"])
def test_roles_outside_the_case_readers_get_the_403_page_and_nothing_is_audited(world, role):
    case = open_case(world)
    before = len(audit(world, action="accountability.case.read"))
    for path in (f"{_pages(world)}/", f"{_pages(world)}/cases/{case['id']}"):
        response = world.client(role).get(path)
        assert response.status_code == 403 and "<html" in _html(response)
    world.client(role).get(f"{world.base}/accountability/cases/{case['id']}") \
        .assert_status(403)  # the API answers the same
    assert len(audit(world, action="accountability.case.read")) == before


def test_a_viewer_reads_cases_but_is_offered_no_step(world):
    case = open_case(world)
    html = _html(world.client("viewer").get(f"{_pages(world)}/cases/{case['id']}")
                 .assert_status(200))
    assert "/investigation" not in html and "/cases/new" not in html
