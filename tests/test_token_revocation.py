"""Issue 17, defect 6: a new password ends the sessions of the old one. A reset (by the
township admin or ``zerenzhi users set-password``) or one's own change revokes every bearer
token and the calendar feed token of the account; one's own change may keep the token it
was made with. Disabling an account revokes them too, so re-enabling revives none."""

from __future__ import annotations

from zerenzhi.testing.world import PASSWORD, ApiClient

NEW_PASSWORD = "a brand new passphrase"


def login(app, username: str, password: str = PASSWORD) -> ApiClient:
    response = ApiClient(app).post("/api/v1/auth/tokens",
                                   json={"username": username, "password": password})
    response.assert_status(201)
    return ApiClient(app, response.json["access_token"])


def feed(township, client: ApiClient):
    """A fetcher of the ICS feed by the feed token ``client`` issues itself."""
    token = client.post("/api/v1/me/feed-token").assert_status(201, 200).json["feed_token"]
    return lambda: ApiClient(township.app).get(f"{township.base}/calendar.ics",
                                               query_string={"token": token})


def username(township, role: str) -> str:
    return ApiClient(township.app, township.tokens[role]).get("/api/v1/me").json["username"]


def user_url(township, role: str) -> str:
    return f"{township.base}/users/{township.users[role]}"


def patch_user(township, role: str, body: dict):
    admin = township.client("all")
    etag = admin.get(user_url(township, role)).assert_status(200).headers["ETag"]
    return admin.patch(user_url(township, role), json=body, headers={"If-Match": etag})


def test_an_admin_reset_revokes_every_token_and_the_feed(township):
    name = username(township, "subject")
    fixture, fresh = township.client("subject"), login(township.app, name)
    ics = feed(township, fresh)
    ics().assert_status(200)
    patch_user(township, "subject", {"password": NEW_PASSWORD}).assert_status(200)
    fixture.get("/api/v1/me").assert_status(401)
    fresh.get("/api/v1/me").assert_status(401)
    ics().assert_status(401)
    login(township.app, name, NEW_PASSWORD).get("/api/v1/me").assert_status(200)


def test_a_rename_revokes_nothing(township):
    patch_user(township, "subject", {"display_name": "改名"}).assert_status(200)
    township.client("subject").get("/api/v1/me").assert_status(200)


def test_ones_own_change_revokes_every_token_by_default(township):
    name = username(township, "member")
    current, other = login(township.app, name), township.client("member")
    ics = feed(township, other)
    current.post("/api/v1/me/password", json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD}).assert_status(204)
    for client in (current, other):
        client.get("/api/v1/me").assert_status(401)
    ics().assert_status(401)
    login(township.app, name, NEW_PASSWORD)
    audit = township.client("secretary").get(f"{township.base}/audit", query_string={
        "target_type": "user_account", "target_id": str(township.users["member"])}).json
    changed = {key: value for entry in audit for key, value in entry["after"].items()}
    assert changed["password_hash"] == changed["feed_token_hash"] == "*** (changed)"


def test_ones_own_change_may_keep_the_current_token(township):
    name = username(township, "member")
    current, other = login(township.app, name), township.client("member")
    current.post("/api/v1/me/password", json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "keep_current_token": True}).assert_status(204)
    current.get("/api/v1/me").assert_status(200)
    other.get("/api/v1/me").assert_status(401)


def test_a_wrong_current_password_changes_nothing(township):
    client = township.client("member")
    response = client.post("/api/v1/me/password", json={
        "current_password": "not the password", "new_password": NEW_PASSWORD})
    response.assert_status(422)
    assert "current_password" in response.json["errors"]["json"]
    client.get("/api/v1/me").assert_status(200)
    login(township.app, username(township, "member"))  # the old password still works


def test_disabling_revokes_the_tokens_and_re_enabling_revives_none(township):
    client = township.client("subject")
    ics = feed(township, client)
    patch_user(township, "subject", {"disabled": True}).assert_status(200)
    ics().assert_status(401)
    patch_user(township, "subject", {"disabled": False}).assert_status(200)
    client.get("/api/v1/me").assert_status(401)
    ics().assert_status(401)


def test_cli_set_password_revokes_every_token_and_the_feed(township):
    name = username(township, "subject")
    client = township.client("subject")
    ics = feed(township, client)
    result = township.app.test_cli_runner().invoke(
        args=["users", "set-password", name, "--password-stdin"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    client.get("/api/v1/me").assert_status(401)
    ics().assert_status(401)
    login(township.app, name, NEW_PASSWORD)
