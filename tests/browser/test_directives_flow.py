"""Directives (督辦, W1) in a real Chromium (issue 15, item 2 and "Tests"): the demo county's
admin issues a directive to two townships from the form, 龍爪鎮's office sees it on its home
page and reports it completed, and the county sees that township completed (the other still
open). Every page of the flow, and the county's inbox, at 1366 px and 375 px without sideways
scrolling and with no serious or critical axe-core finding."""

from __future__ import annotations

import datetime as dt
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.helpers import check_page, go, login, logout, wait_for, wait_loaded

COUNTY = "demo-county"


def _submit(driver, form_selector: str) -> None:
    """Post the form and wait for the next page (not the old one's "complete")."""
    button = driver.find_element(By.CSS_SELECTOR, f"{form_selector} button[type=submit]")
    button.click()
    wait_for(driver, ec.staleness_of(button))
    wait_loaded(driver)


def test_a_directive_from_the_county_to_longzhua_and_back(browser, live_server, screenshots):
    problems: list[str] = []
    base, title = live_server.url, f"防汛安全檢查 {uuid.uuid4().hex[:6]}"
    deadline = (dt.date.today() + dt.timedelta(days=20)).isoformat() + "T18:00"

    browser.delete_all_cookies()
    login(browser, base, "demo-county.admin")
    go(browser, f"{base}/counties/{COUNTY}/directives")
    form = "form.directive-form"
    browser.find_element(By.ID, "f-title").send_keys(title)
    browser.find_element(By.ID, "f-content").send_keys("請於期限前完成轄區防汛安全檢查並報告。")
    browser.execute_script("document.getElementById('f-deadline').value = arguments[0];",
                           deadline)
    ticked = {box.get_attribute("value"): box for box in browser.find_elements(
        By.CSS_SELECTOR, f"{form} input[name=townships]")}
    assert {"longzhua", "longquan", "shimen"} <= set(ticked), sorted(ticked)
    for slug, box in ticked.items():  # two townships: 龍爪鎮 and 龍泉鄉
        if box.is_selected() != (slug in ("longzhua", "longquan")):
            box.click()
    _submit(browser, form)
    assert "/directives/" in browser.current_url, browser.current_url
    detail = browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "#progress-table tr[data-township]")
    assert {r.get_attribute("data-township"): r.get_attribute("data-status") for r in rows} == {
        "longquan": "open", "longzhua": "open"}
    check_page(browser, screenshots, "county-directive", problems)
    go(browser, f"{base}/counties/{COUNTY}/directives")
    assert title in browser.find_element(By.ID, "directives-table").text
    check_page(browser, screenshots, "county-directives", problems)
    go(browser, f"{base}/counties/{COUNTY}/inbox")
    check_page(browser, screenshots, "county-inbox", problems)
    logout(browser)

    login(browser, base, "longzhua.office")
    go(browser, f"{base}/townships/longzhua/")
    home = browser.find_element(By.ID, "home-directives")
    assert title in home.text
    check_page(browser, screenshots, "township-home-directives", problems)
    home = browser.find_element(By.ID, "home-directives")
    link = home.find_element(By.PARTIAL_LINK_TEXT, title)
    link.click()
    wait_for(browser, ec.staleness_of(link))
    wait_loaded(browser)
    check_page(browser, screenshots, "township-directive", problems)
    browser.find_element(By.ID, "f-report").send_keys(
        "已完成全鎮防汛安全檢查，發現隱患3處，均已整改。")
    _submit(browser, "form[action$='/completion']")
    assert "/completion" not in browser.find_elements(By.TAG_NAME, "main")[0].get_attribute(
        "innerHTML")
    go(browser, f"{base}/townships/longzhua/directives")
    check_page(browser, screenshots, "township-directives", problems)
    logout(browser)

    login(browser, base, "demo-county.viewer")
    go(browser, detail)
    rows = browser.find_elements(By.CSS_SELECTOR, "#progress-table tr[data-township]")
    assert {r.get_attribute("data-township"): r.get_attribute("data-status") for r in rows} == {
        "longquan": "open", "longzhua": "completed"}
    assert "已完成全鎮防汛安全檢查" in browser.find_element(By.ID, "progress-table").text
    logout(browser)
    assert not problems, "\n".join(problems)
