"""The module pages behind the navigation (issue 15, item 5): each module's forms and the
first record of each list, as the township's secretary opens them in a real Chromium —
screenshots at 1366 px and 375 px, no sideways scrolling on a phone, no serious or critical
axe-core violation. The navigation's own pages are test_console_pages.py's."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.browser.helpers import check_page, go, login, logout

BASE = "/townships/longzhua"
# (module page, the tables whose first record is opened too, the forms to open)
PAGES = (
    ("approvals/", ("#applications",), ("approvals/applications/new",)),
    ("platforms/", ("#incidents", "#channels"),
     ("platforms/incidents/new", "platforms/channels/new")),
    ("analysis/", ("#analyses",), ("analysis/analyses/new", "analysis/dates/new")),
    ("accountability/", (), ("accountability/cases/new",)),
)


def test_module_forms_and_records(browser, live_server, screenshots):
    problems: list[str] = []
    browser.delete_all_cookies()
    login(browser, live_server.url, "longzhua.secretary")
    for page, tables, forms in PAGES:
        go(browser, f"{live_server.url}{BASE}/{page}")
        records = []
        for table in tables:
            links = browser.find_elements(By.CSS_SELECTOR, f"{table} tbody a")
            assert links, f"{page}: {table} lists no record in the demo township"
            records.append(links[0].get_attribute("href"))
        for url in [*records, *(f"{live_server.url}{BASE}/{form}" for form in forms)]:
            go(browser, url)
            assert browser.find_element(By.TAG_NAME, "h1").text, f"{url}: no heading"
            name = url.split(f"{BASE}/", 1)[1].replace("/", "-")
            check_page(browser, screenshots, name[:60], problems)
    logout(browser)
    assert not problems, "\n".join(problems)


def test_an_accountability_case_is_refused_to_the_admin_and_its_view_audited(
        browser, live_server, screenshots):
    """The township's administrator gets the 403 page for a case, as from the API; the
    secretary reads it, and the audit log then shows that read (issue 15, "Tests")."""
    problems: list[str] = []
    browser.delete_all_cookies()
    login(browser, live_server.url, "longzhua.secretary")
    go(browser, f"{live_server.url}{BASE}/accountability/")
    links = browser.find_elements(By.CSS_SELECTOR, "#cases tbody a")
    assert links, "the demo township has no accountability case"
    case_url = links[0].get_attribute("href")
    go(browser, case_url)
    assert browser.find_element(By.CSS_SELECTOR, "[data-case-status]")
    check_page(browser, screenshots, "accountability-case", problems)
    go(browser, f"{live_server.url}{BASE}/audit?action=accountability.case.read")
    entries = browser.find_elements(By.CSS_SELECTOR, 'li[data-action="accountability.case.read"]')
    assert entries, "the secretary's read of the case is not in the audit log"
    logout(browser)
    login(browser, live_server.url, "longzhua.admin")
    go(browser, case_url)
    assert "403" in browser.title
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-case-status]")
    logout(browser)
    assert not problems, "\n".join(problems)
