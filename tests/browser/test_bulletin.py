"""The county bulletin in a real Chromium (issue 15, item 4): the demo county's viewer opens
it from a signed-in session, it fits 1366 px and 375 px without sideways scrolling and with
no serious axe-core finding, and its PDF link answers an A4 PDF in Traditional Chinese."""

from __future__ import annotations

import io
import urllib.request

import pypdf
from selenium.webdriver.common.by import By

from tests.browser.helpers import check_page, go, login, logout


def test_a_county_viewer_reads_the_bulletin_and_downloads_its_pdf(browser, live_server,
                                                                   screenshots):
    problems: list[str] = []
    browser.delete_all_cookies()
    login(browser, live_server.url, "demo-county.viewer")
    go(browser, f"{live_server.url}/counties/demo-county/bulletin")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert "示範縣" in heading and "通報" in heading, heading
    assert browser.find_elements(By.CSS_SELECTOR, "#bulletin-compliance tbody tr")
    assert browser.find_elements(By.CSS_SELECTOR, ".chart svg[role=img]")
    check_page(browser, screenshots, "county-bulletin", problems)

    link = browser.find_element(By.ID, "bulletin-pdf").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    request = urllib.request.Request(link, headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/pdf"
        data = response.read()
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    period = link.rsplit("period=", 1)[1]  # the page's period, the current half-year
    assert "示範縣" in text and "通報" in text and period in text, (period, text[:200])
    logout(browser)
    assert not problems, "\n".join(problems)
