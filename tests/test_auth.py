"""Logging in and out, and who the caller is
(docs/architecture.md, Identity; docs/domain.md roles M1–M3, W4)."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from sqlalchemy import select, update

from zerenzhi.auth.models import AuthToken, UserAccount
from zerenzhi.auth.service import token_digest
from zerenzhi.testing import ApiClient

TOKENS = "/api/v1/auth/tokens"
PASSWORD = "a long enough secret"


def new_user(township, name: str, positions=({"role": "secretary"},)) -> str:
    """A user created with a password through the API; returns the username. "all" holds
    tenant_admin and secretary: posting a secretary needs users.grant_leadership (0012)."""
    username = f"{name}-{township.slug}"
    township.client("all").post(f"{township.base}/users", json={
        "username": username, "display_name": name, "password": PASSWORD,
        "positions": list(positions),
    }).assert_status(201)
    return username


def log_in(app, username: str, password: str = PASSWORD):
    return ApiClient(app).post(TOKENS, json={"username": username, "password": password})


def stored_hash(township, username: str) -> str:
    with township.scope() as sess:
        value = sess.scalar(select(UserAccount.password_hash)
                            .where(UserAccount.username == username))
    return value


def test_user_logs_in_with_the_password_the_admin_set(township):
    username = new_user(township, "li")
    body = log_in(township.app, username).assert_status(201).json
    assert set(body) == {"access_token", "token_type", "expires_at"}
    assert body["token_type"] == "Bearer"
    assert dt.datetime.fromisoformat(body["expires_at"]).replace(tzinfo=dt.UTC) > \
        dt.datetime.now(dt.UTC)
    me = ApiClient(township.app, body["access_token"]).get("/api/v1/me").assert_status(200).json
    assert me["username"] == username


def test_wrong_password_and_unknown_user_get_the_same_answer(township):
    username = new_user(township, "wang")
    wrong = log_in(township.app, username, "not the password").assert_status(401)
    unknown = log_in(township.app, f"nobody-{township.slug}").assert_status(401)
    assert wrong.json == unknown.json
    assert wrong.json["code"] == 401


def test_sixth_attempt_after_five_failures_is_throttled_even_with_the_right_password(township):
    username = new_user(township, "zhao")
    for _ in range(5):
        log_in(township.app, username, "guessing wrong").assert_status(401)
    throttled = log_in(township.app, username).assert_status(429)
    assert int(throttled.headers["Retry-After"]) > 0
    assert throttled.json["code"] == 429
    # the throttle is per username: a colleague still logs in
    log_in(township.app, new_user(township, "qian")).assert_status(201)


def test_logout_revokes_the_token(township):
    token = log_in(township.app, new_user(township, "sun")).json["access_token"]
    client = ApiClient(township.app, token)
    client.get("/api/v1/me").assert_status(200)
    client.delete(f"{TOKENS}/current").assert_status(204)
    client.get("/api/v1/me").assert_status(401)


def test_expired_token_is_refused(township):
    token = log_in(township.app, new_user(township, "zhou")).json["access_token"]
    with township.scope() as sess:
        sess.execute(update(AuthToken).where(AuthToken.token_hash == token_digest(token))
                     .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
        sess.commit()
    ApiClient(township.app, token).get("/api/v1/me").assert_status(401)


def test_ended_position_takes_effect_on_the_next_request_with_the_same_token(township):
    """Roles are re-read on every request: the secretary (M1) loses audit.read at once."""
    secretary = township.client("secretary")
    secretary.get(f"{township.base}/audit").assert_status(200)
    admin = township.client("tenant_admin")
    user_url = f"{township.base}/users/{township.users['secretary']}"
    (position,) = admin.get(f"{user_url}/positions").assert_status(200).json
    admin.delete(f"{user_url}/positions/{position['id']}").assert_status(200)
    secretary.get(f"{township.base}/audit").assert_status(403)
    assert secretary.get("/api/v1/me").json["positions"] == []


def test_me_shows_tenant_positions_with_unit_codes_and_permissions(township):
    me = township.client("branch_secretary").get("/api/v1/me").assert_status(200).json
    assert me["tenant"]["slug"] == township.slug
    assert me["tenant"]["kind"] == "township"
    assert [(p["role"], p["unit_code"], p["role_label"]) for p in me["positions"]] == [
        ("branch_secretary", "branch-1", "支部书记")]
    assert "units.read" in me["permissions"]
    assert "units.write" not in me["permissions"]
    assert "users.read" not in me["permissions"]


def test_role_labels_follow_accept_language(township):
    """The first responsible person (M1) is served in the script the reader asks for."""
    labels = {}
    for language in (None, "zh-Hant", "zh-TW,zh;q=0.8", "en-US,en;q=0.9"):
        headers = {"Accept-Language": language} if language else {}
        me = township.client("secretary").get("/api/v1/me", headers=headers).json
        labels[language] = me["positions"][0]["role_label"]
    assert labels[None] == "党委书记"
    assert labels["zh-Hant"] == labels["zh-TW,zh;q=0.8"] == "黨委書記"
    assert labels["en-US,en;q=0.9"].startswith("Party secretary")


def test_passwords_are_stored_as_argon2id_at_owasp_minimum(township):
    username = new_user(township, "wu")
    stored = stored_hash(township, username)
    assert stored.startswith("$argon2id$")
    params = dict(part.split("=") for part in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19456
    assert int(params["t"]) >= 2
    assert PASSWORD not in stored


def test_login_upgrades_a_weaker_stored_hash(township):
    username = new_user(township, "zheng")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with township.scope() as sess:
        sess.execute(update(UserAccount).where(UserAccount.username == username)
                     .values(password_hash=weak))
        sess.commit()
    log_in(township.app, username).assert_status(201)
    upgraded = stored_hash(township, username)
    assert upgraded != weak
    assert "m=19456,t=2" in upgraded
    log_in(township.app, username).assert_status(201)
