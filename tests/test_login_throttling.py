"""Login throttling that nobody can turn against an account's owner, and the API's general
rate limit (issue 17, defect 10; decision 0016).

Each test logs in from addresses of its own (``REMOTE_ADDR``), since the log of attempts
is shared by every test on a backend."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from zerenzhi.app import create_app
from zerenzhi.auth import service
from zerenzhi.auth.models import LoginAttempt
from zerenzhi.db.base import utcnow
from zerenzhi.testing import ApiClient

TOKENS = "/api/v1/auth/tokens"
PASSWORD = "a long enough secret"


def address() -> str:
    return "10." + ".".join(str(random.randrange(1, 255)) for _ in range(3))


def new_user(township, name: str) -> str:
    username = f"{name}-{township.slug}"
    township.client("all").post(f"{township.base}/users", json={
        "username": username, "display_name": name, "password": PASSWORD,
        "positions": [{"role": "viewer"}],
    }).assert_status(201)
    return username


def log_in(app, username: str, password: str = PASSWORD, *, addr: str, headers=None):
    return ApiClient(app, headers=headers).post(
        TOKENS, json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": addr})


def attempts(township, **where) -> list[LoginAttempt]:
    with township.scope() as sess:
        return list(sess.scalars(select(LoginAttempt).filter_by(**where)))


def add_failures(township, username: str, addr: str, count: int, ago=dt.timedelta(0)):
    with township.scope() as sess:
        for _ in range(count):
            sess.add(LoginAttempt(username=username, remote_addr=addr, at=utcnow() - ago,
                                  succeeded=False))
        sess.commit()


def test_failures_elsewhere_do_not_refuse_the_owner_at_a_known_address(township):
    owner, attacker = address(), address()
    username = new_user(township, "secretary-li")
    log_in(township.app, username, addr=owner).assert_status(201)  # the office PC, known
    for _ in range(service.THROTTLE_FREE):
        log_in(township.app, username, "guessing", addr=attacker).assert_status(401)
    throttled = log_in(township.app, username, "guessing", addr=attacker).assert_status(429)
    assert int(throttled.headers["Retry-After"]) > 0
    assert throttled.json["code"] == 429
    # the owner, at the address they logged in from before, is not slowed down at all...
    log_in(township.app, username, addr=owner).assert_status(201)
    # ...while an address the account never used waits out the back-off, right password too
    log_in(township.app, username, addr=address()).assert_status(429)


def test_the_owner_mistyping_at_a_known_address_backs_off_there(township):
    owner = address()
    username = new_user(township, "wang")
    log_in(township.app, username, addr=owner).assert_status(201)
    for _ in range(service.THROTTLE_FREE):
        log_in(township.app, username, "typo", addr=owner).assert_status(401)
    log_in(township.app, username, addr=owner).assert_status(429)


def test_one_address_trying_many_usernames_is_throttled(township):
    addr = address()
    answers = [log_in(township.app, f"guess{n}-{township.slug}", "pw", addr=addr).status_code
               for n in range(40)]
    assert answers[:service.THROTTLE_ADDRESS_FREE] == [401] * service.THROTTLE_ADDRESS_FREE
    assert set(answers[service.THROTTLE_ADDRESS_FREE:]) == {429}
    username = new_user(township, "zhao")
    log_in(township.app, username, addr=addr).assert_status(429)  # a stranger here: waits
    log_in(township.app, username, addr=address()).assert_status(201)  # elsewhere: fine


def test_the_back_off_doubles_per_failure_and_is_capped(township):
    assert [service.backoff(n, 5).total_seconds() for n in range(4, 12)] == [
        0, 30, 60, 120, 240, 480, 900, 900]
    waits = []
    for failures in (5, 6, 7, 20):
        username, addr = new_user(township, f"sun{failures}"), address()
        add_failures(township, username, addr, failures)
        waits.append(int(log_in(township.app, username, addr=addr)
                         .assert_status(429).headers["Retry-After"]))
    assert 25 <= waits[0] <= 30 and 55 <= waits[1] <= 60 and 115 <= waits[2] <= 120
    assert 895 <= waits[3] <= 900


def test_a_back_off_ends_and_old_failures_stop_counting(township):
    username, addr = new_user(township, "zhou"), address()
    add_failures(township, username, addr, service.THROTTLE_FREE, ago=dt.timedelta(seconds=31))
    log_in(township.app, username, addr=addr).assert_status(201)  # 30 s waited already
    other, addr = new_user(township, "wu"), address()
    add_failures(township, other, addr, 50, ago=service.THROTTLE_WINDOW + dt.timedelta(hours=1))
    log_in(township.app, other, addr=addr).assert_status(201)


def test_old_attempts_are_pruned_and_a_login_keeps_one_row_per_address(township):
    username, addr = new_user(township, "chen"), address()
    add_failures(township, username, addr, 3, ago=service.THROTTLE_WINDOW + dt.timedelta(hours=1))
    add_failures(township, username, addr, 2, ago=dt.timedelta(hours=1))
    with township.scope() as sess:
        sess.add(LoginAttempt(username=username, remote_addr=address(), succeeded=True,
                              at=utcnow() - service.KNOWN_ADDRESS_FOR - dt.timedelta(days=1)))
        sess.commit()
    log_in(township.app, username, addr=addr).assert_status(201)
    log_in(township.app, username, addr=addr).assert_status(201)
    kept = attempts(township, username=username)
    assert sorted(row.succeeded for row in kept) == [False, False, True]
    assert all(row.remote_addr == addr for row in kept)


def _app(app, **settings):
    """Another app on the same database with these settings (the fixture's keeps the rate
    limit off and trusts no proxy)."""
    config = {key: app.config[key]
              for key in ("DATABASE_URL", "MIGRATION_DATABASE_URL", "DB_APP_ROLE")}
    return create_app({**config, "TESTING": True, **settings})


@pytest.fixture
def limited(app):
    application = _app(app, RATELIMIT_ENABLED=True, RATELIMIT_PER_ADDRESS="3/minute",
                       RATELIMIT_PER_TOKEN="2/minute")
    yield application
    application.extensions["zerenzhi"].db.dispose()


def test_the_api_answers_429_over_its_rate_limit(limited, township):
    addr = address()
    client = ApiClient(limited)

    def get(path, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(path, headers=headers, environ_base={"REMOTE_ADDR": addr})

    for _ in range(3):
        get("/api/v1/me").assert_status(401)
    over = get("/api/v1/me").assert_status(429)
    assert over.json["code"] == 429 and over.json["status"] == "Too Many Requests"
    assert over.json["message"]
    assert 0 < int(over.headers["Retry-After"]) <= 61
    for _ in range(5):  # the probes are never limited
        get("/healthz").assert_status(200)
    assert get("/readyz").status_code in (200, 503)


def test_the_rate_limit_counts_per_token(limited, township):
    token, other = township.tokens["viewer"], township.tokens["member"]
    client = ApiClient(limited)
    for _ in range(2):
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"},
                   environ_base={"REMOTE_ADDR": address()}).assert_status(200)
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"},
               environ_base={"REMOTE_ADDR": address()}).assert_status(429)
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"},
               environ_base={"REMOTE_ADDR": address()}).assert_status(200)


def test_the_test_app_has_no_rate_limit(township):
    addr = address()
    for _ in range(10):
        ApiClient(township.app).get("/api/v1/me", environ_base={"REMOTE_ADDR": addr}) \
            .assert_status(401)


@pytest.mark.parametrize("proxies", [0, 1])
def test_x_forwarded_for_counts_only_behind_trusted_proxies(app, township, proxies):
    application = _app(app, TRUSTED_PROXIES=proxies)
    try:
        username, peer, client = new_user(township, f"lin{proxies}"), address(), address()
        log_in(application, username, "wrong", addr=peer,
               headers={"X-Forwarded-For": f"{address()}, {client}"}).assert_status(401)
    finally:
        application.extensions["zerenzhi"].db.dispose()
    (row,) = attempts(township, username=username)
    assert row.remote_addr == (client if proxies else peer)
