"""Idempotency-Key under failure (issue 17, defect 3; docs/decisions/0014-idempotency-states.md):
a failed request leaves no half state, so its retries — 30 at once, in real worker processes —
create one record; a key whose owner died is 409 until its lease runs out, then taken over;
another body with the same key is 422 in every state."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from zerenzhi.idempotency import IdempotencyRecord
from zerenzhi.orgunits.models import OrgUnit

from .test_concurrent_updates import REPO, _free_port, _send

WORKERS = 4
REQUESTS = 30

# Every flush waits a little so the retries overlap; while the file `fail` exists, every flush
# raises: the request ends in a 500 as a crash in a service would.
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


def _flush(*_args):
    time.sleep(0.05)
    if pathlib.Path({fail!r}).exists():
        raise RuntimeError("injected failure")


def post_worker_init(worker):
    event.listen(Session, "before_flush", _flush)
    pathlib.Path({ready!r}, str(worker.pid)).touch()
"""


@pytest.fixture
def failing_server(app, zz_backend, zz_databases, tmp_path):
    """gunicorn workers on the backend under test; yields ((host, port), fail-switch path)."""
    owner_url, app_url, role = zz_databases.urls(zz_backend)
    port, ready, fail = _free_port(), tmp_path / "ready", tmp_path / "fail"
    ready.mkdir()
    config = tmp_path / "gunicorn_conf.py"
    config.write_text(CONFIG.format(bind=f"127.0.0.1:{port}", workers=WORKERS, fail=str(fail),
                                    ready=str(ready)), encoding="utf-8")
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
        yield ("127.0.0.1", port), fail
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _unit(code: str, world) -> dict:
    return {"code": code, "name": "新支部", "kind": "branch",
            "parent_id": str(world.units["committee"])}


def _codes(world, code: str) -> int:
    with world.scope() as db:
        return len(db.scalars(select(OrgUnit).where(OrgUnit.code == code)).all())


def test_retries_after_a_failed_request_create_exactly_one_record(township, failing_server):
    address, fail = failing_server
    path, token = f"{township.base}/units", township.tokens["secretary"]
    headers = {"Idempotency-Key": "after-500"}
    fail.touch()
    status, _, _ = _send(address, "POST", path, token, _unit("branch-42", township), headers)
    assert status == 500
    fail.unlink()
    assert _codes(township, "branch-42") == 0

    start = threading.Barrier(REQUESTS)

    def retry(n: int) -> int:
        start.wait()
        body = _unit("branch-42", township) if n else _unit("branch-43", township)
        return _send(address, "POST", path, token, body, headers)[0]

    with ThreadPoolExecutor(REQUESTS) as pool:
        statuses = list(pool.map(retry, range(REQUESTS)))
    created = _codes(township, "branch-42") + _codes(township, "branch-43")
    assert created == 1, statuses
    if statuses[0] == 422:  # another body lost the race: every same-body retry got the 201
        assert statuses[1:] == [201] * (REQUESTS - 1), statuses
    else:  # it won: every retry with the first body is refused as another request
        assert statuses[0] == 201 and set(statuses[1:]) == {422}, statuses


def _raw(world, code: str) -> tuple[str, bytes, str]:
    """(path, body bytes, fingerprint) of a unit POST as the server will hash it."""
    path = f"{world.base}/units"
    data = json.dumps(_unit(code, world)).encode()
    return path, data, hashlib.sha256(f"POST {path}\n".encode() + data).hexdigest()


def _leave(world, key: str, fingerprint: str, state: str, age: float) -> None:
    """A record left by an earlier owner `age` seconds ago, as a killed worker leaves it."""
    with world.scope() as db:
        when = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age)
        db.add(IdempotencyRecord(user_id=world.users["secretary"], key=key,
                                 request_hash=fingerprint, state=state, status_code=None,
                                 created_at=when, updated_at=when))
        db.commit()


def test_a_dead_owners_key_is_409_until_its_lease_runs_out(township, app):
    client = township.client("secretary")
    path, data, fingerprint = _raw(township, "branch-31")
    headers = {"Idempotency-Key": "killed", "Content-Type": "application/json"}
    lease = app.config["IDEMPOTENCY_LEASE_SECONDS"]
    _leave(township, "killed", fingerprint, "running", lease / 2)
    client.post(path, data=data, headers=headers).assert_status(409)
    assert _codes(township, "branch-31") == 0
    with township.scope() as db:
        record = db.scalars(select(IdempotencyRecord)).one()
        record.updated_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=lease + 1)
        db.commit()
    client.post(path, data=data, headers=headers).assert_status(201)
    again = client.post(path, data=data, headers=headers).assert_status(201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert _codes(township, "branch-31") == 1


@pytest.mark.parametrize(("state", "age"), [("running", 0), ("running", 3600),
                                            ("failed", 0), ("done", 0)])
def test_another_body_with_the_key_is_422_in_every_state(township, state, age):
    client = township.client("secretary")
    _path, _data, fingerprint = _raw(township, "branch-21")
    _leave(township, "used", fingerprint, state, age)
    other = client.post(f"{township.base}/units", json=_unit("branch-22", township),
                        headers={"Idempotency-Key": "used"})
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]["headers"]
    assert _codes(township, "branch-22") == 0
    with township.scope() as db:
        assert db.scalars(select(IdempotencyRecord.state)).all() == [state]
