"""Calendar feed tokens expire (``ZERENZHI_FEED_TOKEN_DAYS``, default 365): an expired
token is refused as an unknown one, and its expiry cannot be edited (issue 17, defect 11)."""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import time_machine

from zerenzhi.config import load
from zerenzhi.testing import ApiClient

REPO = Path(__file__).resolve().parents[1]


def feed_path(world) -> str:
    issued = world.client("secretary").post("/api/v1/me/feed-token").assert_status(201).json
    parts = urlsplit(issued["url"])
    return f"{parts.path}?{parts.query}"


def test_the_lifetime_is_a_setting(monkeypatch, tmp_path):
    assert load(tmp_path, None)["FEED_TOKEN_DAYS"] == 365
    monkeypatch.setenv("ZERENZHI_FEED_TOKEN_DAYS", "30")
    assert load(tmp_path, None)["FEED_TOKEN_DAYS"] == 30


def test_an_expired_feed_token_is_refused_as_an_unknown_one(township, monkeypatch):
    monkeypatch.setitem(township.app.config, "FEED_TOKEN_DAYS", 2)
    anonymous = ApiClient(township.app)
    with time_machine.travel("2026-09-01T09:00:00+08:00", tick=False) as clock:
        path = feed_path(township)
        unknown = path.split("token=")[0] + "token=not-a-token"
        clock.shift(dt.timedelta(days=1, hours=23))
        anonymous.get(path).assert_status(200)
        clock.shift(dt.timedelta(hours=2))
        expired = anonymous.get(path)
        refused = anonymous.get(unknown)
    assert expired.status_code == refused.status_code and expired.status_code in (401, 404)
    assert expired.json == refused.json


def test_the_expiry_in_the_token_cannot_be_extended(township):
    path = feed_path(township)
    secret, _dot, expires = path.rpartition(".")
    assert expires.isdigit()
    ApiClient(township.app).get(f"{secret}.{int(expires) + 86400}").assert_status(401)


def test_the_access_log_never_shows_a_feed_token():
    """gunicorn's access log (``gunicorn.conf.py``) redacts ``token=`` in the request line,
    the query string and the referrer."""
    from gunicorn.config import Config

    conf = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    logger = conf["logger_class"](Config())
    environ = {"REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1",
               "RAW_URI": "/api/v1/townships/x/calendar.ics?token=SeCrEt.1&component=event",
               "PATH_INFO": "/api/v1/townships/x/calendar.ics",
               "QUERY_STRING": "token=SeCrEt.1&component=event",
               "HTTP_REFERER": "https://example.org/?token=SeCrEt.1", "REMOTE_ADDR": "10.0.0.1"}
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, [], environ, dt.timedelta(milliseconds=3))
    line = logger.cfg.access_log_format % atoms
    assert "SeCrEt" not in line
    assert "/calendar.ics?token=[redacted]&component=event" in line
