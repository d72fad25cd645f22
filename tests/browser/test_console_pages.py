"""Every page the navigation reaches, in a real Chromium (issue 14, "Tests"): screenshots at
1366 px and 375 px, no sideways scrolling on a phone, and no serious or critical axe-core
violation. One browser for the module; the demo townships on SQLite."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.helpers import check_page, go, login, logout, nav_links

# who looks at which pages: the secretary reaches every section; the admin sees organisation
# and modules with their controls, a branch secretary study with its record button
USERS = {"longzhua.secretary": None, "longzhua.admin": {"organisation", "modules"},
         "longzhua.branch1": {"study"}}


def test_login_page(browser, live_server, screenshots):
    browser.delete_all_cookies()
    problems: list[str] = []
    go(browser, f"{live_server.url}/login")
    check_page(browser, screenshots, "login", problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", USERS)
def test_every_page_in_the_navigation(browser, live_server, screenshots, username):
    problems: list[str] = []
    browser.delete_all_cookies()
    login(browser, live_server.url, username)
    links = nav_links(browser)
    assert links, f"{username} sees no navigation"
    for label, url in links:
        go(browser, url)
        assert browser.find_element(By.TAG_NAME, "h1").text, f"{label}: no heading"
        assert "500" not in browser.title
        current = browser.find_elements(By.CSS_SELECTOR, "nav.modules a[aria-current=page]")
        assert [a.text.strip() for a in current] == [label], f"{label}: aria-current"
        page = url.rstrip("/").rsplit("/townships/longzhua/", 1)[-1]
        page = "overview" if page.endswith("/longzhua") else page
        if USERS[username] is None or page in USERS[username]:
            check_page(browser, screenshots, f"{page}-{username.split('.')[1]}", problems)
    logout(browser)
    assert not problems, "\n".join(problems)
