"""The analysis module's console pages (issue 15, item 5): the committee records a
half-year analysis, writes its domains' sections, asks a unit for its contribution by a due
date and, once every required domain is covered, the secretary approves it and it counts
(A1, A2); a sensitive date shows in its month with the analysis it is owed (A3)."""

from __future__ import annotations

import re

import time_machine

NOW = "2026-06-20T10:00:00+08:00"


def _pages(world) -> str:
    return f"/townships/{world.slug}/analysis"


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _post(client, form_path: str, data: dict, action: str | None = None):
    html = _html(client.get(form_path).assert_status(200))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(action or form_path, data={"csrf_token": token, **data})


@time_machine.travel(NOW, tick=False)
def test_a_half_year_analysis_is_written_domain_by_domain_and_approved(town):
    office, secretary = town.client("office"), town.client("secretary")
    response = _post(office, f"{_pages(town)}/analyses/new", {
        "kind": "half_year", "title": "2026年上半年意識形態領域情況分析", "held_on": "2026-06-18"})
    assert response.status_code == 302, _html(response)[:300]
    page = response.headers["Location"]
    analysis_id = page.rsplit("/", 1)[-1]
    refused = _post(secretary, page, {}, f"{page}/approval")
    assert refused.status_code == 422  # domains missing: named, nothing approved
    assert town.client("secretary").get(
        f"{town.base}/analysis/analyses/{analysis_id}").json["approval"] is None
    required = [d["domain"] for d in town.client("office").get(
        f"{town.base}/analysis/analyses/{analysis_id}").json["missing_domains"]]
    for domain in required:
        _post(office, page, {"domain": domain, "mainstream": f"{domain} 主流積極健康"},
              f"{page}/sections").assert_status(302)
    html = _html(office.get(page))
    assert html.count('data-written="true"') == len(required)
    _post(office, page, {"unit_id": str(town.units["village-1"]), "due_on": "2026-06-25",
                         "request": "報送本村輿情"}, f"{page}/contributions").assert_status(302)
    assert 'data-status="pending"' in _html(office.get(page))
    _post(secretary, page, {}, f"{page}/approval").assert_status(302)
    shown = town.client("office").get(f"{town.base}/analysis/analyses/{analysis_id}").json
    assert shown["counts"] is True
    assert 'data-counts="true"' in _html(office.get(f"{_pages(town)}/"))


@time_machine.travel(NOW, tick=False)
def test_a_bad_section_keeps_its_text_and_writes_nothing(town):
    office = town.client("office")
    page = _post(office, f"{_pages(town)}/analyses/new", {
        "kind": "half_year", "title": "上半年分析", "held_on": "2026-06-18"}).headers["Location"]
    response = _post(office, page, {"domain": "theory", "mainstream": "",
                                    "proposed_measures": "加強陣地管理"}, f"{page}/sections")
    assert response.status_code == 422 and "加強陣地管理" in _html(response)
    assert 'id="mainstream-error"' in _html(response)
    assert 'data-written="true"' not in _html(office.get(page))


@time_machine.travel(NOW, tick=False)
def test_a_sensitive_date_is_listed_in_its_month(town):
    office = town.client("office")
    _post(office, f"{_pages(town)}/dates/new", {"kind": "sensitive_date",
                                                "title": "某紀念日", "falls_on": "2026-07-15"}
          ).assert_status(302)
    html = _html(office.get(f"{_pages(town)}/"))
    month = html.split('id="dates-2026-07"')[1].split("</ul>")[0]
    assert "某紀念日" in month


def test_a_viewer_reads_but_is_offered_no_form(town):
    html = _html(town.client("viewer").get(f"{_pages(town)}/").assert_status(200))
    assert "/analyses/new" not in html and "/dates/new" not in html
