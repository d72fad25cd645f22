"""The assessment module's console page (issue 15, item 5): the office computes the year
from the page and sees the ranking as a chart and a table with the API's totals; a leader
adjusts a unit's points with a reason (the township's caps hold, a bad one is refused with
its field named and nothing written)."""

from __future__ import annotations

import re

from tests.plugins.assessment.test_assessment import december  # noqa: F401  (the fixture)


def _page(world, year: int = 2026) -> str:
    return f"/townships/{world.slug}/assessment/years/{year}"


def _html(response) -> str:
    return response.raw.get_data(as_text=True)


def _post(client, form_path: str, data: dict, action: str):
    html = _html(client.get(form_path).assert_status(200))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(action, data={"csrf_token": token, **data})


def test_the_year_is_computed_and_ranked_as_the_api_ranks_it(december):  # noqa: F811
    office = december.client("office")
    page = _page(december)
    assert "<svg" not in _html(office.get(page).assert_status(200))  # nothing computed yet
    _post(office, page, {}, f"{page}/compute").assert_status(302)
    html = _html(office.get(page))
    api = office.get(f"{december.base}/assessment/years/2026").assert_status(200).json
    shown = re.findall(r'<tr data-unit="([^"]+)">', html.split('id="scores"')[1])
    assert shown == [u["unit_code"] for u in api["units"]]  # the API's ranking, in order
    assert '<svg role="img"' in html and "<script" not in html.split("<svg")[1].split("</svg>")[0]
    redirect = december.client("viewer").get(f"/townships/{december.slug}/assessment/")
    assert redirect.status_code == 302 and redirect.headers["Location"].endswith("/2026")


def test_an_adjustment_needs_its_reason_and_stays_within_the_caps(december):  # noqa: F811
    secretary = december.client("secretary")
    page = _page(december)
    refused = _post(secretary, page, {"unit_id": str(december.units["branch-1"]),
                                      "points": "80", "reason": ""}, f"{page}/adjustments")
    assert refused.status_code == 422
    assert 'id="points-error"' in _html(refused) and 'id="reason-error"' in _html(refused)
    url = f"{december.base}/assessment/years/2026/adjustments"
    assert secretary.get(url).json == []  # nothing written
    _post(secretary, page, {"unit_id": str(december.units["branch-1"]), "points": "3",
                            "reason": "市級表彰"}, f"{page}/adjustments").assert_status(302)
    assert [(a["points"], a["reason"]) for a in secretary.get(url).json] == [(3.0, "市級表彰")]
    assert "市級表彰" in _html(secretary.get(page))


def test_the_office_may_not_adjust(december):  # noqa: F811
    office = december.client("office")
    html = _html(office.get(_page(december)).assert_status(200))
    assert "/adjustments" not in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    office.post(f"{_page(december)}/adjustments", data={
        "csrf_token": token, "unit_id": str(december.units["office"]), "points": "1",
        "reason": "x"}).assert_status(403)
