"""What the browser tests do on every page: log in and out, look at a page at a width (the
screenshot, the phone's horizontal scroll) and run axe-core on it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

AXE = Path(__file__).parent / "vendor" / "axe-core-4.10.3" / "axe.min.js"
PASSWORD = "zerenzhi-demo-2026"
WIDTHS = {"desktop": 1366, "phone": 375}
HEIGHT = 900
MAX_SHOT_HEIGHT = 6000  # a long page's screenshot stops here


def wait_for(driver, condition, seconds: float = 10) -> Any:
    return WebDriverWait(driver, seconds).until(condition)


def wait_loaded(driver) -> None:
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def go(driver, url: str) -> None:
    driver.get(url)
    wait_loaded(driver)


def login(driver, base: str, username: str, password: str = PASSWORD) -> None:
    """Through the login form, as a person would; lands on the user's township."""
    go(driver, f"{base}/login")
    driver.find_element(By.CSS_SELECTOR, "input[name=username]").send_keys(username)
    field = driver.find_element(By.CSS_SELECTOR, "input[name=password]")
    field.send_keys(password)
    field.submit()
    wait_for(driver, lambda d: "/login" not in d.current_url)
    wait_loaded(driver)


def logout(driver) -> None:
    """The header's log-out button (a POST with the CSRF token)."""
    button = driver.find_element(By.CSS_SELECTOR, "form[action$='/logout'] button")
    button.click()
    wait_for(driver, lambda d: d.current_url.split("?")[0].endswith("/login"))
    wait_loaded(driver)


def set_width(driver, name: str, height: int = HEIGHT) -> None:
    """The viewport as a phone (375 px, touch, its meta viewport honoured) or a desktop."""
    width = WIDTHS[name]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": name == "phone"})


def horizontal_overflow(driver) -> tuple[int, int]:
    """(scrollWidth, innerWidth) of the page: scrollWidth > innerWidth means sideways scroll."""
    return tuple(driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"))


def widest_elements(driver, limit: int = 5) -> list[str]:
    """The elements sticking out to the right, to say which one scrolls the page."""
    return driver.execute_script("""
        const w = window.innerWidth, out = [];
        for (const el of document.body.querySelectorAll('*')) {
          const r = el.getBoundingClientRect();
          if (r.right > w + 1 && r.width > 0) {
            out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
              (el.className && typeof el.className === 'string' ? '.' +
               el.className.trim().split(/\\s+/).join('.') : '') + ' right=' + Math.round(r.right));
          }
        }
        return out.slice(-arguments[0]);""", limit)


def screenshot(driver, folder: Path, name: str, width: str) -> Path:
    """The whole page (up to MAX_SHOT_HEIGHT) at ``width``: the viewport is made that tall."""
    height = min(int(driver.execute_script(
        "return document.documentElement.scrollHeight")), MAX_SHOT_HEIGHT)
    set_width(driver, width, max(height, HEIGHT))
    path = folder / f"{slug(name)}-{WIDTHS[width]}.png"
    driver.save_screenshot(str(path))
    return path


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "page"


def run_axe(driver) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the current page."""
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(30)
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', "
        "help: String(e), nodes: []}])));")
    return [v for v in json.loads(found) if v.get("impact") in ("serious", "critical")]


def describe_violations(page: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{page}:"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation.get('helpUrl', '')})")
        for node in violation.get("nodes", [])[:5]:
            target = " ".join(map(str, node.get("target", [])))
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"      {target}: {summary}")
    return "\n".join(lines)


def nav_links(driver) -> list[tuple[str, str]]:
    """(label, url) of the township's section navigation."""
    return [(a.text.strip(), a.get_attribute("href"))
            for a in driver.find_elements(By.CSS_SELECTOR, "nav.modules a")]


def visible(driver, selector: str):
    return wait_for(driver, ec.visibility_of_element_located((By.CSS_SELECTOR, selector)))


def check_page(driver, folder: Path, name: str, problems: list[str]) -> None:
    """Screenshots at 1366 px and 375 px; notes in ``problems`` sideways scroll and axe's
    serious and critical findings at 375 px (axe runs once, at the width where layouts
    break: colours and names are the same at both). Leaves the viewport at 1366 px for
    the next page."""
    screenshot(driver, folder, name, "desktop")
    set_width(driver, "phone")
    driver.refresh()  # the layout as loaded at this width, not as resized
    wait_loaded(driver)
    scroll, inner = horizontal_overflow(driver)
    if scroll > inner:
        problems.append(f"{name}: scrolls sideways at 375 px ({scroll} > {inner}): "
                        f"{', '.join(widest_elements(driver))}")
    violations = run_axe(driver)
    if violations:
        problems.append(describe_violations(f"{name} at 375 px", violations))
    screenshot(driver, folder, name, "phone")
    set_width(driver, "desktop")
