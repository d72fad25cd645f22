"""If-Match under concurrency (issue 17): the ETag check and the write are one atomic step.

Real gunicorn workers — separate processes, each its own app, engine and connections —
receive 30 PATCHes sent at once with the same ETag, on each backend: exactly one may win,
every other request sees the record changed (412), and the audit log holds one change, not
one per worker overwriting the others.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from zerenzhi.audit.models import AuditEntry

REPO = Path(__file__).resolve().parents[1]
WORKERS = 4
REQUESTS = 30

WRITE_DELAY = 0.2  # seconds each flush waits in the workers

# Each worker leaves a file once its app is built: requests are sent only when all can serve.
# Every flush waits WRITE_DELAY first, as a slow service would between reading the record and
# writing it: without it, on two cores, the requests rarely overlap and a lost update would
# be luck to catch; with it, every worker's first PATCH overwrites the others' unless the
# ETag check holds the record until the write commits.
CONFIG = """
import pathlib
import time

from sqlalchemy import event
from sqlalchemy.orm import Session

bind = {bind!r}
workers = {workers}
accesslog = None
control_socket_disable = True
timeout = 120


def post_worker_init(worker):
    event.listen(Session, "before_flush", lambda *_args: time.sleep({delay}))
    pathlib.Path({ready!r}, str(worker.pid)).touch()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(app, zz_backend, zz_databases, tmp_path):
    """gunicorn with ``WORKERS`` workers on the test database of the backend under test;
    yields (host, port)."""
    owner_url, app_url, role = zz_databases.urls(zz_backend)
    port = _free_port()
    ready = tmp_path / "ready"
    ready.mkdir()
    config = tmp_path / "gunicorn_conf.py"
    config.write_text(CONFIG.format(bind=f"127.0.0.1:{port}", workers=WORKERS,
                                    delay=WRITE_DELAY, ready=str(ready)), encoding="utf-8")
    env = {**os.environ, "ZERENZHI_DATABASE_URL": app_url,
           "ZERENZHI_MIGRATION_DATABASE_URL": owner_url, "ZERENZHI_DB_APP_ROLE": role or ""}
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(config), "wsgi:app"],
                               cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while len(list(ready.iterdir())) < WORKERS:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start:\n"
                            + (tmp_path / "gunicorn.log").read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _send(address: tuple[str, int], method: str, path: str, token: str,
          body: dict | None = None, headers: dict | None = None) -> tuple[int, dict, dict]:
    connection = http.client.HTTPConnection(*address, timeout=120)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), json.loads(data) if data else {}
    finally:
        connection.close()


def _unit(township) -> tuple[str, str]:
    """A unit: its ETag is the record's own."""
    return f"{township.base}/units/{township.units['branch-1']}", "name"


def _campaign(township) -> tuple[str, str]:
    """An inspection campaign: its ETag is that of a view built before the check (coverage,
    whether it counts), which cannot be rebuilt after the lock."""
    township.enable("inspection")
    created = township.client("office").post(f"{township.base}/inspection/campaigns", json={
        "title": "專題督查", "started_on": "2026-05-01", "plan": "自查與重點檢查相結合",
    }).assert_status(201).json
    return f"{township.base}/inspection/campaigns/{created['id']}", "title"


@pytest.mark.parametrize("record", [_unit, _campaign], ids=["record", "view"])
def test_concurrent_patches_with_one_etag_let_exactly_one_win(township, server, record):
    path, field = record(township)
    token = township.tokens["office"]
    status, headers, _ = _send(server, "GET", path, token)
    assert status == 200
    etag = headers["ETag"]

    start = threading.Barrier(REQUESTS)

    def patch(n: int) -> tuple[int, str]:
        start.wait()
        status, _, body = _send(server, "PATCH", path, token, {field: f"第{n}稿"},
                                {"If-Match": etag})
        return status, body.get(field, "")

    with ThreadPoolExecutor(REQUESTS) as pool:
        results = list(pool.map(patch, range(REQUESTS)))

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [412] * (REQUESTS - 1), statuses
    (winner,) = [value for status, value in results if status == 200]
    _, _, shown = _send(server, "GET", path, token)
    assert shown[field] == winner
    record_id = path.rsplit("/", 1)[1]
    with township.scope() as db:
        changes = db.scalars(select(AuditEntry).where(
            AuditEntry.target_id == record_id, AuditEntry.action.like("%.update"))).all()
        assert [entry.after[field] for entry in changes] == [winner]


def test_if_match_star_does_not_skip_the_check_on_an_existing_record(township):
    path = f"{township.base}/units/{township.units['branch-1']}"
    client = township.client("secretary")
    before = client.get(path).assert_status(200).json
    response = client.patch(path, json={"name": "改名"}, headers={"If-Match": "*"})
    response.assert_status(428)
    assert response.json["code"] == 428 and response.json["message"]
    assert client.get(path).json == before
    client.delete(path, headers={"If-Match": "*"}).assert_status(428)
    assert client.get(path).json == before


def test_if_match_star_on_an_unknown_record_is_404(township):
    path = f"{township.base}/units/{township.units['branch-1']}".rsplit("/", 1)[0]
    response = township.client("secretary").patch(
        f"{path}/00000000-0000-4000-8000-000000000000", json={"name": "改名"},
        headers={"If-Match": "*"})
    response.assert_status(404)
