"""Structured request logs (issue 17, what an operator needs): a request id accepted from
``X-Request-ID`` or generated, returned, carried into the audit entry; one JSON line per
request with the township, the user and the route template; never a password or a token."""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import select

from zerenzhi.audit.models import AuditEntry
from zerenzhi.auth.models import UserAccount
from zerenzhi.observability.logs import JsonFormatter
from zerenzhi.testing import ApiClient

FIELDS = {"ts", "level", "logger", "msg", "request_id", "township", "user_id", "method",
          "path", "status", "duration_ms"}
UNITS_ROUTE = "/api/v1/townships/<township>/units"


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def request_lines(caplog) -> list[dict]:
    return [line for line in lines(caplog) if line["logger"] == "zerenzhi.request"]


def test_the_callers_request_id_is_echoed(township):
    response = township.client("viewer").get(f"{township.base}/units",
                                              headers={"X-Request-ID": "edge-7f3a.42"})
    assert response.assert_status(200).headers["X-Request-ID"] == "edge-7f3a.42"


@pytest.mark.parametrize("sent", [None, "", "has space", "x" * 65, "é-accent"])
def test_a_missing_or_invalid_request_id_is_replaced_by_a_generated_one(township, sent):
    headers = {} if sent is None else {"X-Request-ID": sent}
    response = township.client("viewer").get(f"{township.base}/units", headers=headers)
    generated = response.assert_status(200).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    other = township.client("viewer").get(f"{township.base}/units", headers=headers)
    assert other.headers["X-Request-ID"] != generated


def test_a_write_records_its_request_id_in_the_audit_entry(township):
    township.client("office").post(f"{township.base}/units", headers={
        "X-Request-ID": "trace-unit-create"}, json={
        "code": "branch-9", "name": "第九黨支部", "kind": "branch",
        "parent_id": str(township.units["committee"])}).assert_status(201)
    with township.scope() as sess:
        entries = sess.scalars(select(AuditEntry).where(
            AuditEntry.request_id == "trace-unit-create")).all()
    assert [entry.action for entry in entries] == ["org_unit.create"]
    assert entries[0].actor_id == township.users["office"]


def test_one_json_line_per_request_with_its_context(township, request_log):
    response = township.client("viewer").get(f"{township.base}/units",
                                             headers={"X-Request-ID": "line-check"})
    response.assert_status(200)
    [line] = [entry for entry in request_lines(request_log)
              if entry.get("request_id") == "line-check"]
    assert set(line) >= FIELDS
    assert line["township"] == township.slug
    assert line["user_id"] == str(township.users["viewer"])
    assert (line["method"], line["path"], line["status"]) == ("GET", UNITS_ROUTE, 200)
    assert line["level"] == "INFO" and isinstance(line["duration_ms"], float)


def test_the_path_is_the_route_template_never_ids_or_the_query_string(township, request_log):
    unit = township.units["village-1"]
    township.client("viewer").get(f"{township.base}/units/{unit}?token=feed-secret-123")
    [line] = request_lines(request_log)
    assert line["path"] == f"{UNITS_ROUTE}/<uuid:unit_id>"
    assert "feed-secret-123" not in request_log.text and str(unit) not in json.dumps(line)


def test_a_login_password_never_reaches_the_logs(township, request_log):
    with township.scope() as sess:
        username = sess.scalar(select(UserAccount.username).where(
            UserAccount.id == township.users["office"]))
    client = ApiClient(township.app)
    client.post("/api/v1/auth/tokens", json={"username": username,
                                             "password": "wrong-Pa55word-xyzzy"})
    issued = client.post("/api/v1/auth/tokens", json={
        "username": username, "password": "correct horse battery"}).assert_status(201)
    token = issued.json["access_token"]
    ApiClient(township.app, token).get("/api/v1/me").assert_status(200)
    everything = request_log.text + "\n".join(json.dumps(line) for line in lines(request_log))
    for secret in ("wrong-Pa55word-xyzzy", "correct horse battery", token):
        assert secret not in everything
    assert len(request_lines(request_log)) == 3


def test_secret_extras_are_redacted_at_any_depth(request_log):
    logging.getLogger("zerenzhi.test").info("settings saved", extra={
        "settings": {"url": "https://example.org", "hmacSecret": "s3", "nested": [
            {"api_key": "k"}]}, "password": "p", "authorization": "Bearer t"})
    [line] = [entry for entry in lines(request_log) if entry["logger"] == "zerenzhi.test"]
    assert line["settings"] == {"url": "https://example.org", "hmacSecret": "[redacted]",
                                "nested": [{"api_key": "[redacted]"}]}
    assert line["password"] == "[redacted]" and line["authorization"] == "[redacted]"
