"""The console's walk-through in a real Chromium (issue 14, "Tests"), on the demo townships:
a branch secretary records a study session with attendance through the form and watches the
overview's status for W3 turn fulfilled; the office sees the overdue list with the posts that
answer for it; the language switch; logging out. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.helpers import (
    check_page,
    go,
    login,
    logout,
    wait_for,
    wait_loaded,
)

TOWNSHIP = "longzhua"
RULE, UNIT = "study.branch_theory_study", "branch-1"  # W3's centralised study, 機關黨支部


def board_item(driver, base: str) -> tuple[str, str]:
    """(status, "done/required · due") of the rule's item for the unit on the overview."""
    go(driver, f"{base}/townships/{TOWNSHIP}/")
    item = driver.find_element(By.CSS_SELECTOR,
                               f'ul.board li[data-rule="{RULE}"][data-unit="{UNIT}"]')
    return item.get_attribute("data-status"), item.find_element(By.TAG_NAME, "small").text


def record_session(driver, base: str, title: str, shots=None) -> None:
    """The study form, as a branch secretary fills it: one absent member with a reason."""
    go(driver, f"{base}/townships/{TOWNSHIP}/study/")
    driver.find_element(By.CSS_SELECTOR, "a[href$='/study/sessions/new']").click()
    wait_loaded(driver)
    if shots is not None:
        check_page(driver, *shots)
    form = driver.find_element(By.CSS_SELECTOR, "form[method=post].narrow")
    form.find_element(By.NAME, "title").send_keys(title)
    Select(form.find_element(By.NAME, "kind")).select_by_value("centralised")
    present = form.find_elements(By.CSS_SELECTOR, "input[name=present]")
    assert present, "the form lists the unit's members"
    assert all(box.is_selected() for box in present), "everyone starts ticked present"
    if len(present) > 1:  # the last one was away, with a reason
        box = present[-1]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
        reason = form.find_element(By.NAME, f"reason-{box.get_attribute('value')}")
        reason.send_keys("出差")
    form.find_element(By.NAME, "topics_text").send_keys("學習貫徹黨的二十屆四中全會精神")
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    wait_for(driver, lambda d: "/sessions/new" not in d.current_url)
    wait_loaded(driver)
    notice = driver.find_elements(By.CSS_SELECTOR, "p.notice[role=status]")
    assert notice, f"no confirmation after saving: {driver.current_url}"
    assert title in driver.find_element(By.TAG_NAME, "main").text


def test_walkthrough(browser, live_servers, screenshots, zz_backend):
    """``zz_backend``: the kit's parametrisation, SQLite and (when installed) PostgreSQL."""
    backend = zz_backend
    base = live_servers(backend).url
    browser.delete_all_cookies()
    shots = (screenshots, "study-form", []) if backend == "sqlite" else None

    # a branch secretary records W3's study; its status on the overview turns fulfilled
    login(browser, base, "longzhua.branch1")
    assert browser.current_url.endswith(f"/townships/{TOWNSHIP}/")
    status, counted = board_item(browser, base)
    assert status != "fulfilled", f"the demo's {RULE} for {UNIT} is already {counted}"
    for attempt in range(1, 4):
        record_session(browser, base, f"理論學習中心組集中學習（瀏覽器測試 {attempt}）",
                       shots if attempt == 1 else None)
        status, counted = board_item(browser, base)
        if status == "fulfilled":
            break
    assert status == "fulfilled", f"{RULE} for {UNIT} still {status} ({counted})"
    if shots is not None:
        assert not shots[2], "\n".join(shots[2])
    logout(browser)

    # the office: the overdue list, each with the post that owes it and its holders
    login(browser, base, "longzhua.office")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.overdue tbody tr")
    assert rows, "the demo township has overdue duties"
    for row in rows:
        cells = row.find_elements(By.TAG_NAME, "td")
        assert cells[0].text.strip() and cells[4].text.strip(), row.text
        assert ":" in cells[4].text or "：" in cells[4].text, row.text  # "post: people"

    # the language switch: zh-Hant (the demo county's default) → en → zh-Hans
    def switch(tag: str) -> str:
        Select(browser.find_element(By.ID, "language-switch")).select_by_value(tag)
        wait_for(browser, lambda d: d.find_element(By.TAG_NAME, "html")
                 .get_attribute("lang") == tag)
        wait_loaded(browser)
        assert browser.current_url.endswith(f"/townships/{TOWNSHIP}/"), "stays on the page"
        return browser.find_element(By.ID, "overdue-heading").text

    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hant"
    hant = browser.find_element(By.ID, "overdue-heading").text
    assert switch("en").startswith("Overdue")
    hans_nav = switch("zh-Hans")
    assert hans_nav.startswith("逾期")
    nav = browser.find_element(By.CSS_SELECTOR, "nav.modules").text
    assert "概览" in nav and "概覽" not in nav, nav
    assert hant.startswith("逾期")
    switch("zh-Hant")

    # logging out ends the session: a township page sends the browser to the login form
    logout(browser)
    go(browser, f"{base}/townships/{TOWNSHIP}/")
    assert "/login" in browser.current_url and "next=" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, "input[name=password]")
