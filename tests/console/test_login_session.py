"""The console's login session (issue 14, item 2): a signed, HttpOnly, SameSite=Lax cookie
(Secure by setting) carrying an API token, so everything the API enforces on tokens holds for
pages: idle timeout, logout and password changes revoke it, roles are re-read on every request,
the API's login throttling; ``next`` stays on this site; the API never reads the cookie."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from zerenzhi.testing import ApiClient
from zerenzhi.testing.matrices import PageClient, is_page
from zerenzhi.testing.world import PASSWORD

COOKIE = "zz_session"


def _username(world, role: str) -> str:
    return f"{role}@{world.slug.removeprefix('w-')}"


def _login(world, role: str, password: str = PASSWORD, next_url: str | None = None):
    browser = PageClient(ApiClient(world.app))
    url = "/login" + (f"?next={next_url}" if next_url is not None else "")
    response = browser.client.post(url, data={"username": _username(world, role),
                                              "password": password,
                                              "csrf_token": browser.token()})
    browser._token = None  # logging in starts a new session, with a new CSRF token
    return browser, response


def _home(world, browser: PageClient):
    return browser.client.get(f"/townships/{world.slug}/")


def _to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(
        response.headers["Location"]).path == "/login"


def _set_cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE))


def test_the_cookie_is_httponly_and_lax_and_the_page_opens(township):
    browser, response = _login(township, "office")
    assert _to_login(response) is False and response.status_code == 302
    cookie = _set_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert _home(township, browser).status_code == 200
    head = browser.client.request("HEAD", f"/townships/{township.slug}/")  # the GET, bodiless
    assert head.status_code == 200 and head.raw.get_data() == b""


def test_the_cookie_is_secure_when_the_setting_says_so(app, township):
    from zerenzhi.app import create_app

    secure = create_app({"DATABASE_URL": app.config["DATABASE_URL"],
                         "MIGRATION_DATABASE_URL": app.config["MIGRATION_DATABASE_URL"],
                         "DB_APP_ROLE": app.config.get("DB_APP_ROLE"), "TESTING": True,
                         "CONSOLE_COOKIE_SECURE": True}, load_entrypoints=False)
    try:
        browser = PageClient(ApiClient(secure))
        response = browser.client.post("/login", data={
            "username": _username(township, "office"), "password": PASSWORD,
            "csrf_token": browser.token()})
        assert response.status_code == 302
        assert "Secure" in _set_cookie(response)
    finally:
        secure.extensions["zerenzhi"].db.dispose()


def test_an_idle_session_asks_to_log_in_again(township):
    idle = township.app.config["CONSOLE_IDLE_MINUTES"]
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as clock:
        browser, _ = _login(township, "office")
        clock.shift(dt.timedelta(minutes=idle - 1))
        assert _home(township, browser).status_code == 200  # reading keeps it alive
        clock.shift(dt.timedelta(minutes=idle - 1))
        assert _home(township, browser).status_code == 200
        clock.shift(dt.timedelta(minutes=idle + 1))
        response = _home(township, browser)
    assert _to_login(response)
    back = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]
    assert back.rstrip("?") == f"/townships/{township.slug}/"


def test_logout_revokes_the_token_a_copied_cookie_carries(township):
    browser, _ = _login(township, "office")
    copied = browser.client.client.get_cookie(COOKIE).value
    assert _to_login(browser.call("POST", "/logout"))
    thief = ApiClient(township.app)
    thief.client.set_cookie(COOKIE, copied)
    assert _to_login(_home(township, thief))


def test_a_password_change_ends_the_console_session(township):
    browser, _ = _login(township, "office")
    assert _home(township, browser).status_code == 200
    township.client("office").post("/api/v1/me/password", json={
        "current_password": PASSWORD, "new_password": "another horse battery staple"},
    ).assert_status(204)
    assert _to_login(_home(township, browser))


def test_roles_are_read_again_on_every_request(township):
    browser, _ = _login(township, "office")
    assert _home(township, browser).status_code == 200
    user = township.users["office"]
    posts = township.client("tenant_admin").get(f"{township.base}/users/{user}").json
    for post in posts["positions"]:
        township.client("tenant_admin").delete(
            f"{township.base}/users/{user}/positions/{post['id']}").assert_status(200)
    response = _home(township, browser)
    assert response.status_code == 403 and is_page(response)


def test_a_wrong_password_and_the_api_s_throttling(township):
    _browser, response = _login(township, "office", password="wrong")
    assert response.status_code == 401 and is_page(response)
    wrong = response.raw.get_data(as_text=True)
    assert "密碼" in wrong  # "Wrong username or password." in the township's zh-Hant
    for _ in range(6):  # past the failures an account is allowed (THROTTLE_FREE)
        _browser, response = _login(township, "office", password="wrong")
    assert response.status_code == 429 and is_page(response)
    assert re.search(r"\d+", response.raw.get_data(as_text=True))  # the seconds to wait
    api = township.client().post("/api/v1/auth/tokens", json={
        "username": _username(township, "office"), "password": PASSWORD})
    assert api.status_code == 429  # the API's throttling: the same account, the same clock
    _browser, response = _login(township, "office")  # the right password waits too
    assert response.status_code == 429


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_next_never_leaves_the_site(township, target):
    _, response = _login(township, "office", next_url=target)
    location = urlsplit(response.headers["Location"])
    assert response.status_code == 302 and not location.netloc
    assert location.path.startswith("/") and not location.path.startswith("//")


def test_next_returns_to_the_page_asked_for(township):
    page = f"/townships/{township.slug}/calendar"
    _, response = _login(township, "office", next_url=page)
    assert urlsplit(response.headers["Location"]).path == page


def test_the_api_ignores_the_session_cookie(township):
    browser, _ = _login(township, "office")
    assert _home(township, browser).status_code == 200
    me = browser.client.get("/api/v1/me")
    assert me.status_code == 401
    assert browser.client.get(f"{township.base}/units").status_code == 401
