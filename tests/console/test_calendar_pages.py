"""The calendar page (issue 14, item 3): the API's calendar as a list by due day and as a
month, its filters, and the user's own ICS link, rotated by a form and shown once."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import time_machine

from tests.obligations.conftest import DRILL
from tests.obligations.drill import at
from zerenzhi.console import calendar as calendar_page
from zerenzhi.testing import ApiClient

NOW = "2026-08-10T09:00:00+08:00"
WIDE = "from=2026-01-02&to=2027-12-30"


@pytest.fixture
def zz_plugins():
    return [DRILL]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def drilled(township):
    township.enable("drill")
    return township


def _page(world, query: str = "", role: str = "secretary") -> str:
    response = world.client(role).get(f"/townships/{world.slug}/calendar?{query}")
    response.assert_status(200)
    return response.raw.get_data(as_text=True)


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(rule, unit code, status) of each row of the list view."""
    return re.findall(r'<tr data-rule="([^"]*)" data-unit="([^"]*)" data-status="([^"]*)"',
                      html)


def _evidence(world, rule: str, unit: str, day: str) -> None:
    world.client("secretary").post(f"{world.base}/drill/evidence", json={
        "rule": rule, "unit_id": str(world.units[unit]), "occurred_at": at(day)}
    ).assert_status(201)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("role", ["secretary", "office", "branch_secretary", "viewer"])
def test_the_list_renders_for_every_reader_of_obligations(drilled, role):
    html = _page(drilled, WIDE, role)
    assert ("drill.special_meeting", "committee", "overdue") in _rows(html)  # 2026H1, unmet
    assert "R1" in html and "2026年6月30日" in html  # the clause, and the day in Chinese
    assert not re.search(r">[^<]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", html)  # no raw ids


@time_machine.travel(NOW, tick=False)
def test_filters_narrow_the_list_as_the_api_does(drilled):
    world = drilled
    _evidence(world, "drill.special_meeting", "committee", "2026-08-01")  # H2 done early
    assert sorted(_rows(_page(world, f"{WIDE}&status=fulfilled&status=overdue"))) == [
        ("drill.special_meeting", "committee", "fulfilled"),
        ("drill.special_meeting", "committee", "overdue")]
    branch = _rows(_page(world, f"{WIDE}&unit={world.units['branch-1']}"))
    assert branch and {unit for _rule, unit, _status in branch} == {"branch-1"}
    rule = _rows(_page(world, f"{WIDE}&rule=drill.theory_study"))
    assert {r for r, _u, _s in rule} == {"drill.theory_study"} and len(rule) == 2
    mine = _rows(_page(world, f"{WIDE}&responsible={world.users['branch_secretary']}"))
    assert [(r, u) for r, u, _s in mine] == [("drill.theory_study", "branch-1")]
    # a GET form sends its empty selects: they mean "no filter"
    everything = _rows(_page(world, f"{WIDE}&unit=&rule=&responsible=&status="))
    assert len(everything) == len(_rows(_page(world, WIDE))) > len(branch)


@time_machine.travel(NOW, tick=False)
def test_the_filters_offer_names_not_ids(drilled):
    html = _page(drilled)
    assert "第一黨支部" in html  # a unit, by name
    person = re.search(r'<select id="f-responsible".*?</select>', html, re.S).group(0)
    assert f">branch_secretary {drilled.slug}</option>" in person  # a member, by name
    assert "專題會議 (R1)" in html  # a rule with its clause
    assert 'name="status" value="overdue"' in html


@time_machine.travel(NOW, tick=False)
def test_a_bad_filter_is_an_error_page_naming_it(drilled):
    response = drilled.client("secretary").get(
        f"/townships/{drilled.slug}/calendar?status=late")
    assert response.status_code == 422 and "status" in response.raw.get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_the_list_is_paged(drilled, monkeypatch):
    monkeypatch.setattr(calendar_page, "PAGE_SIZE", 2)
    total = len(_rows(_page(drilled, f"{WIDE}&page=1"))) + len(
        _rows(_page(drilled, f"{WIDE}&page=2"))) + len(_rows(_page(drilled, f"{WIDE}&page=3")))
    first = _page(drilled, WIDE)
    assert len(_rows(first)) == 2 and 'rel="next"' in first and 'rel="prev"' not in first
    assert total == 5 and "page=2" in first


@time_machine.travel(NOW, tick=False)
def test_the_month_view_shows_that_month(drilled):
    june = _page(drilled, "view=month&month=2026-06")
    assert "2026年6月" in june
    day = re.search(r'<li class="cal-day[^"]*">\s*<h3><a [^>]*>\s*<time datetime="2026-06-30">'
                    r'(.*?)</li>\s*</ul>', june, re.S)
    assert day and 'data-rule="drill.special_meeting"' in day.group(1)
    assert 'month=2026-05' in june and 'month=2026-07' in june  # previous and next months
    may = _page(drilled, "view=month&month=2026-05")
    assert 'data-rule="drill.special_meeting"' not in may and "2026年5月" in may
    this_month = _page(drilled, "view=month")  # today's month
    assert "2026年8月" in this_month and 'aria-current="date"' in this_month
    assert drilled.client("secretary").get(
        f"/townships/{drilled.slug}/calendar?view=month&month=2026-13").status_code == 422


def _csrf(client: ApiClient, path: str) -> str:
    html = client.get(path).raw.get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _rotate(world, client: ApiClient) -> str:
    """Press the button; the page it leads to shows the new ICS path, once."""
    path = f"/townships/{world.slug}/calendar"
    answer = client.post(f"{path}/feed", data={"csrf_token": _csrf(client, path)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("calendar#feed")
    html = client.get(path).raw.get_data(as_text=True)
    url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', html).group(1)
    assert 'data-copy="feed-url"' in html
    assert 'id="feed-url"' not in client.get(path).raw.get_data(as_text=True)  # shown once
    parts = urlsplit(url.replace("&amp;", "&"))
    return f"{parts.path}?{parts.query}"


@time_machine.travel(NOW, tick=False)
def test_rotating_the_feed_link_replaces_the_old_one(drilled):
    client, anonymous = drilled.client("secretary"), ApiClient(drilled.app)
    first = _rotate(drilled, client)
    assert first.startswith(f"/api/v1/townships/{drilled.slug}/calendar.ics?token=")
    assert anonymous.get(first).assert_status(200).raw.mimetype == "text/calendar"
    second = _rotate(drilled, client)
    assert second != first
    assert anonymous.get(first).status_code in (401, 404)
    anonymous.get(second).assert_status(200)


@time_machine.travel(NOW, tick=False)
def test_rotating_needs_the_form_s_csrf_token(drilled):
    client = drilled.client("secretary")
    first = _rotate(drilled, client)
    refused = client.post(f"/townships/{drilled.slug}/calendar/feed")
    assert refused.status_code in (400, 403)
    ApiClient(drilled.app).get(first).assert_status(200)  # the link still works
