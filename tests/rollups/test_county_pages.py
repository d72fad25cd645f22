"""The county's pages (issue 15, item 1): the heat map, a township's row, the trend, the
overdue list, the modules' figures and their spreadsheets — the same numbers as the API's
roll-ups (W1, M4: the county checks its townships), for the county's own staff only."""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from openpyxl import load_workbook

from tests.rollups.conftest import SECRET_GREETING, SECRET_NAME, SECRET_REASON, rollup
from tests.rollups.plugins import STUDY

NOW = "2026-07-10T09:00:00+08:00"
PAGES = ("", "trend", "overdue", "metrics", "townships/{a}")


def _page(county, path: str, role: str = "county_viewer", status: int = 200) -> str:
    world = county.world
    url = f"/counties/{world.county_slug}/{path.format(a=county.a.slug)}"
    response = world.client(role).get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.raw.get_data(as_text=True)


def _cells(html: str, table: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(township, rule) → (rate, done, required) as the page's heat map shows them."""
    body = html.split(f'id="{table}"')[1].split("</tbody>")[0]
    found = {}
    for slug, row in re.findall(r'<tr data-township="([^"]+)">(.*?)</tr>', body, re.S):
        for rule, rate, done, required in re.findall(
                r'data-rule="([^"]+)" data-rate="([^"]*)" data-done="(\d+)" '
                r'data-required="(\d+)"', row):
            found[(slug, rule)] = (rate, done, required)
    return found


@time_machine.travel(NOW, tick=False)
def test_heat_map_shows_the_apis_numbers_cell_by_cell(county):
    api = rollup(county.world, "compliance", period="2026H1").assert_status(200).json
    cells = _cells(_page(county, "?period=2026H1"), "heat-map")
    expected = {(row["township"]["slug"], cell["rule"]):
                ("" if cell["rate"] is None else str(cell["rate"]), str(cell["done"]),
                 str(cell["required"]))
                for row in api["townships"] for cell in row["cells"]}
    assert expected and cells == expected


@time_machine.travel(NOW, tick=False)
def test_heat_map_sorts_by_total_and_by_one_rule(county):
    def order(query: str) -> list[str]:
        html = _page(county, f"?period=2026H1&{query}")
        return re.findall(r'<tr data-township="([^"]+)">', html.split('id="heat-map"')[1])

    a, b, c = county.a.slug, county.b.slug, county.c.slug
    assert order("sort=rate&order=desc") == [a, b, c]  # 67 %, 33 %, nothing to rate last
    assert order("sort=rate&order=asc") == [b, a, c]
    api = rollup(county.world, "compliance", period="2026H1", sort="rate", order="desc",
                 rule=STUDY).json
    assert order(f"rule={STUDY}&order=desc") == [r["township"]["slug"]
                                                 for r in api["townships"]]
    assert order(f"rule={STUDY}&order=desc")[-1] == c  # no study required there


@time_machine.travel(NOW, tick=False)
def test_a_townships_row_shows_its_units_counts_only(county):
    api = county.world.client("county_viewer").get(
        f"/api/v1/counties/{county.world.county_slug}/rollup/compliance/townships/"
        f"{county.a.slug}?period=2026H1").assert_status(200).json
    units = {u["code"]: u for u in api["units"]}
    assert (units["branch-1"]["required"], units["branch-1"]["done"]) == (1, 1)
    assert units["branch-2"]["waived"] == 1 and units["committee"]["overdue"] == 1
    matrix = rollup(county.world, "compliance", period="2026H1").json
    row = next(r for r in matrix["townships"] if r["township"]["slug"] == county.a.slug)
    assert (api["required"], api["done"], api["overdue"]) == (
        row["required"], row["done"], row["overdue"])  # the row adds up to the matrix's
    html = _page(county, "townships/{a}?period=2026H1")
    assert 'data-unit="branch-1"' in html and "1/1" in html
    for secret in (SECRET_NAME, SECRET_REASON, SECRET_GREETING):
        assert secret not in html


def test_a_township_of_another_county_or_none_is_404(county):
    _page(county, f"townships/{county.other.slug}", status=404)
    _page(county, "townships/no-such-place", status=404)
    county.world.client("county_viewer").get(
        f"/api/v1/counties/{county.world.county_slug}/rollup/compliance/townships/"
        f"{county.other.slug}").assert_status(404)


@time_machine.travel(NOW, tick=False)
def test_trend_draws_a_chart_and_its_table_with_the_apis_rates(county):
    api = rollup(county.world, "trend", **{"from": "2025H2", "to": "2026H1"}).json
    html = _page(county, "trend?from=2025H2&to=2026H1")
    assert '<svg role="img"' in html and "<script" not in html.split("<svg")[1].split("</svg>")[0]
    table = html.split('id="trend-table"')[1]
    row = next(r for r in api["townships"] if r["township"]["slug"] == county.a.slug)
    shown = re.search(rf'data-township="{county.a.slug}">(.*?)</tr>', table, re.S).group(1)
    for point in row["points"]:
        assert f'{point["done"]}/{point["required"]}' in shown


@time_machine.travel(NOW, tick=False)
def test_overdue_list_filters_and_pages(county):
    api = rollup(county.world, "overdue").json
    html = _page(county, "overdue")
    assert html.count("<tr>") - 1 == len(api) > 0  # a header row, then one per item
    only_b = _page(county, f"overdue?township={county.b.slug}")
    b_items = rollup(county.world, "overdue", township=county.b.slug).json
    assert 0 < only_b.count("<tr>") - 1 == len(b_items) < len(api)
    none = _page(county, "overdue?min_days=3000")
    assert "overdue-table" not in none
    assert _page(county, "overdue?min_days=-1", status=422)
    assert _page(county, "overdue?page=2") and 'rel="prev"' not in _page(county, "overdue")


@time_machine.travel(NOW, tick=False)
def test_metrics_say_not_enabled_rather_than_zero(county):
    api = rollup(county.world, "metrics", period="2026H1").json
    html = _page(county, "metrics?period=2026H1")
    for row in api["townships"]:
        shown = re.search(rf'data-township="{row["township"]["slug"]}">(.*?)</tr>', html,
                          re.S).group(1)
        assert shown.count("not enabled") + shown.count("未啟用") + shown.count("未启用") == sum(
            1 for m in api["metrics"] if m["plugin"] in row["disabled"])


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("view", ["compliance", "overdue", "trend", "metrics"])
def test_each_view_downloads_its_spreadsheet_from_the_page(county, view):
    client = county.world.client("county_viewer")
    base = f"/counties/{county.world.county_slug}/exports/{view}"
    xlsx = client.get(f"{base}.xlsx").assert_status(200)
    assert load_workbook(io.BytesIO(xlsx.raw.data)).sheetnames
    csv = client.get(f"{base}.csv").assert_status(200)
    assert csv.raw.data.startswith(b"\xef\xbb\xbf")
    client.get(f"{base}.pdf").assert_status(404)
    client.get(f"/counties/{county.world.county_slug}/exports/secrets.xlsx").assert_status(404)


@pytest.mark.parametrize("path", PAGES)
def test_only_the_countys_own_staff_see_the_pages(county, path):
    world = county.world
    for role in ("county_viewer", "county_admin"):
        _page(county, path, role=role)
    for role in ("secretary", "tenant_admin", "office"):  # township users: unknown county
        _page(county, path, role=role, status=404)
    foreign = county.other.client("county_viewer").get(
        f"/counties/{world.county_slug}/{path.format(a=county.a.slug)}")
    assert foreign.status_code == 404
    anonymous = world.app.test_client().get(
        f"/counties/{world.county_slug}/{path.format(a=county.a.slug)}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_county_navigation_and_index(county):
    html = _page(county, "")
    for path in ("trend", "overdue", "metrics"):
        assert f'href="/counties/{county.world.county_slug}/{path}"' in html
    assert 'aria-current="page"' in html
