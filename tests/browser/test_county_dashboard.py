"""The county's dashboard in a real Chromium: the demo county's viewer logs in through the login
page and lands on the compliance heat map, whose cells hold the numbers the API's
``rollup/compliance`` gives for the same period (cell by cell); then the trend (an SVG chart and
its table) and the overdue list. Every page at 1366 px and 375 px, no sideways scroll on a phone
(the heat map scrolls in its own box) and no serious or critical axe-core finding."""

from __future__ import annotations

import json
import urllib.request

from selenium.webdriver.common.by import By

from tests.browser.helpers import PASSWORD, check_page, go, login, logout

COUNTY = "demo-county"
TOWNSHIPS = {"longzhua", "longquan", "shimen"}  # the demo townships of tenants/


def api(base: str, path: str, token: str | None = None, body: dict | None = None) -> dict:
    """The JSON API over HTTP, as a script of the county would call it."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    request = urllib.request.Request(f"{base}{path}", data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def cells_on_page(driver) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(township, rule) → (rate, done, required) of every heat-map cell with counts."""
    found = driver.execute_script("""
        return [...document.querySelectorAll('#heat-map tbody tr')].flatMap(tr =>
          [...tr.querySelectorAll('td[data-rule][data-done]')].map(td =>
            [tr.dataset.township, td.dataset.rule, td.dataset.rate, td.dataset.done,
             td.dataset.required]));""")
    return {(town, rule): (rate, done, required) for town, rule, rate, done, required in found}


def test_a_county_viewer_reads_the_heat_map_trend_and_overdue_list(browser, live_server,
                                                                    screenshots):
    base, problems = live_server.url, []
    browser.delete_all_cookies()
    login(browser, base, f"{COUNTY}.viewer")
    assert browser.current_url.split("?")[0].rstrip("/").endswith(f"/counties/{COUNTY}"), \
        browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "#heat-map tbody tr[data-township]")
    assert {row.get_attribute("data-township") for row in rows} == TOWNSHIPS

    period = browser.find_element(By.CSS_SELECTOR, "#period option[selected]").get_attribute(
        "value")
    token = api(base, "/api/v1/auth/tokens", body={"username": f"{COUNTY}.viewer",
                                                   "password": PASSWORD})["access_token"]
    answer = api(base, f"/api/v1/counties/{COUNTY}/rollup/compliance?period={period}", token)
    expected = {(row["township"]["slug"], cell["rule"]): cell
                for row in answer["townships"] for cell in row["cells"]}
    shown = cells_on_page(browser)
    assert expected and set(shown) == set(expected)
    for key, cell in expected.items():
        rate, done, required = shown[key]
        assert (int(done), int(required)) == (cell["done"], cell["required"]), key
        if cell["rate"] is None:
            assert rate == "", key
        else:
            assert abs(float(rate) - cell["rate"]) < 1e-9, key
    check_page(browser, screenshots, "county-heat-map", problems)

    go(browser, f"{base}/counties/{COUNTY}/trend")
    assert browser.find_elements(By.CSS_SELECTOR, ".chart svg")
    trend_rows = browser.find_elements(By.CSS_SELECTOR, "#trend-table tbody tr[data-township]")
    assert {row.get_attribute("data-township") for row in trend_rows} == TOWNSHIPS
    check_page(browser, screenshots, "county-trend", problems)

    go(browser, f"{base}/counties/{COUNTY}/overdue")
    assert browser.find_element(By.ID, "overdue-table")
    check_page(browser, screenshots, "county-overdue", problems)
    logout(browser)
    assert not problems, "\n".join(problems)
