"""Real-browser fixtures (issue 14, "Tests"): the demo townships served over HTTP, one headless
Chromium for the whole session, the folder screenshots go to, and axe-core.

The app is built like the kit's ``app`` fixture, but on a database of its own holding the
demo data (``tenants apply`` of the repository's ``tenants/``), so the browser sees what a
user of ``./scripts/serve`` sees and the other tests' townships stay out of it.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ZERENZHI_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("ZERENZHI_CHROMEDRIVER", "/usr/bin/chromedriver"))
_FOLDERS: list[Path] = []  # the screenshot folder, for the session's summary


@dataclass
class LiveServer:
    """The demo app on a real socket: ``url`` is ``http://127.0.0.1:<port>``."""

    backend: str
    url: str
    app: Any


def _required() -> bool:
    """CI (.ci/run) installs the browser and sets this: there a missing one is a failure."""
    return os.environ.get("ZERENZHI_REQUIRE_BROWSER") == "1"


def _missing_browser() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return None
    return (f"{' and '.join(missing)} not installed (apt-get install chromium chromium-driver "
            f"fonts-noto-cjk; .ci/run does)")


def demo_app(backend: str, databases) -> Any:
    """A migrated app on a fresh database of ``backend`` with the demo townships applied."""
    from zerenzhi.app import create_app
    from zerenzhi.commands.tenants import apply_files
    from zerenzhi.migrate import upgrade

    if backend == "sqlite":
        owner_url = app_url = f"sqlite:///{databases.tmp / 'browser-demo.db'}"
        role = None
    else:
        databases.urls("postgresql")  # starts the session's cluster if no test did yet
        owner_url, app_url = databases.cluster.create_database("browser_demo")
        role = "zz_app"
    config = {"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
              "DB_APP_ROLE": role, "TESTING": True, "TENANTS_DIR": str(ROOT / "tenants"),
              "ATTACHMENTS_DIR": str(databases.tmp / f"browser-attachments-{backend}")}
    app = create_app(config)
    upgrade(owner_url, app.extensions["zerenzhi"].plugins, role)
    with app.app_context():
        apply_files(ROOT / "tenants", echo=lambda _line: None)
    if role is not None:  # statistics, as autovacuum gathers within a minute: without them the
        import sqlalchemy  # overview's status query takes ~0.4 s instead of ~15 ms

        engine = sqlalchemy.create_engine(owner_url)
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("ANALYZE"))
            conn.commit()
        engine.dispose()
    databases.apps[("browser", backend)] = app  # disposed with the session's databases
    return app


@pytest.fixture(scope="session")
def live_servers(zz_databases) -> Iterator[dict[str, LiveServer]]:
    """Started on first use per backend, each in a thread; all shut down at the end."""
    from werkzeug.serving import make_server

    started: dict[str, LiveServer] = {}
    servers = []

    def get(backend: str) -> LiveServer:
        if backend not in started:
            app = demo_app(backend, zz_databases)
            server = make_server("127.0.0.1", 0, app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True,
                             name=f"live-{backend}").start()
            servers.append(server)
            started[backend] = LiveServer(backend, f"http://127.0.0.1:{server.server_port}",
                                          app)
        return started[backend]

    yield get  # type: ignore[misc]
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def live_server(live_servers) -> LiveServer:
    """The SQLite demo server: what every browser test but the PostgreSQL pass uses."""
    return live_servers("sqlite")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (a browser start costs a second or two)."""
    reason = _missing_browser()
    if reason:
        if _required():
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--hide-scrollbars", "--lang=zh-TW",
                     "--window-size=1366,900"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-TW,zh"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """``$ZERENZHI_SCREENSHOTS`` or ``/tmp/zerenzhi-screenshots/<UTC time>/``; printed at the
    end of the session (never committed)."""
    chosen = os.environ.get("ZERENZHI_SCREENSHOTS")
    folder = Path(chosen) if chosen else (
        Path("/tmp/zerenzhi-screenshots") / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ"))
    folder.mkdir(parents=True, exist_ok=True)
    _FOLDERS.append(folder)
    return folder


def pytest_terminal_summary(terminalreporter) -> None:
    """Say where the screenshots went, also under ``-q`` (pytest captures fixture prints)."""
    for folder in _FOLDERS:
        count = len(list(folder.glob("*.png")))
        terminalreporter.write_line(f"console screenshots: {count} in {folder}")
