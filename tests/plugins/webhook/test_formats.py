"""Reminders reach the group-chat robots township offices use — WeCom (企業微信), DingTalk
(釘釘) and Feishu (飛書) — in each one's documented body, signed as each documents it; the
signatures are recomputed here independently (issue 13, item 9)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
import time_machine

from zerenzhi import emit
from zerenzhi.commands.obligations import register

ROBOT_SECRET = "SEC0123456789abcdef0123456789abcdef"
NOW = "2026-06-24T09:00:00+08:00"
NOW_SECONDS = 1782262800  # NOW as a POSIX timestamp
DUE_SOON = {
    "obligation_id": "o-1", "rule": "drill.special_meeting", "title": "專題會議",
    "unit_name": "石門鎮黨委", "period": "2026H1", "due_at": "2026-06-30T16:00:00+00:00",
    "status": "due_soon", "days_left": 7, "days_overdue": 0, "responsible_role": "secretary",
    "responsible_role_label": "黨委書記", "due_on": "2026-06-30",
    "responsible": [{"id": "m-1", "name": "張三"}], "threshold": 7,
}
LINES = ["單位：石門鎮黨委", "期限：2026-06-30（週二）", "責任人：張三（黨委書記）",
         "狀態：剩餘 7 天"]


@dataclass
class Robot:
    """What a robot saw (path with query, headers, body); answers ``answers`` in turn,
    then ``{"errcode": 0}``."""

    url: str = ""
    answers: list[dict] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        robot: Robot = self.server.robot  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        robot.requests.append((self.path, dict(self.headers), body))
        answer = json.dumps(robot.answers.pop(0) if robot.answers else {"errcode": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def robot() -> Iterator[Robot]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.robot = Robot(url=f"http://127.0.0.1:{server.server_port}")  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.robot  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def configure(world, url: str, **settings) -> None:
    world.enable("drill")
    world.client("tenant_admin").put(f"{world.base}/plugins/webhook",
                                     json={"settings": {"url": url, **settings}}
                                     ).assert_status(200)


def cli(world, *args: str) -> str:
    if "obligations" not in world.app.cli.commands:
        register(world.app.cli)
    result = world.app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def send_due_soon(world) -> str:
    """Record one due-soon reminder and deliver it, at ``NOW``."""
    with time_machine.travel(NOW, tick=False):
        with world.scope() as sess:
            emit(sess, "obligation.due_soon", **DUE_SOON)
            sess.commit()
        return cli(world, "webhook", "deliver", "--township", world.slug)


def log(world) -> list[dict]:
    return world.client("office").get(f"{world.base}/webhook/deliveries").assert_status(200).json


def test_wecom_gets_a_markdown_message_at_its_key(township, robot, local_targets):
    configure(township, f"{robot.url}/cgi-bin/webhook/send?key=KEY-1", format="wecom")
    send_due_soon(township)
    ((path, headers, body),) = robot.requests
    assert path == "/cgi-bin/webhook/send?key=KEY-1"
    assert "X-Zerenzhi-Signature" not in headers
    content = "\n".join(["**【即將到期】專題會議**", *(f"> {line}" for line in LINES),
                         f"> — 責任制 · {township.slug}"])
    assert json.loads(body) == {"msgtype": "markdown", "markdown": {"content": content}}
    assert log(township)[0]["status"] == "delivered"


def test_dingtalk_gets_markdown_at_a_signed_url(township, robot, local_targets):
    configure(township, f"{robot.url}/robot/send?access_token=TOKEN", format="dingtalk",
              secret=ROBOT_SECRET)
    send_due_soon(township)
    ((path, _headers, body),) = robot.requests
    parts = urlsplit(path)
    query = parse_qs(parts.query)
    timestamp = str(NOW_SECONDS * 1000)  # milliseconds
    expected = base64.b64encode(hmac.new(ROBOT_SECRET.encode(),
                                         f"{timestamp}\n{ROBOT_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert parts.path == "/robot/send"
    assert query == {"access_token": ["TOKEN"], "timestamp": [timestamp], "sign": [expected]}
    assert parts.query.endswith(f"&sign={quote_plus(expected)}")  # url-encoded once
    text = "\n\n".join(["#### 【即將到期】專題會議", *LINES, f"— 責任制 · {township.slug}"])
    assert json.loads(body) == {"msgtype": "markdown",
                                "markdown": {"title": "【即將到期】專題會議", "text": text}}


def test_feishu_gets_a_signed_text_message(township, robot, local_targets):
    configure(township, f"{robot.url}/open-apis/bot/v2/hook/HOOK", format="feishu",
              secret=ROBOT_SECRET)
    robot.answers = [{"code": 0, "msg": "success", "data": {}}]
    send_due_soon(township)
    ((path, _headers, body),) = robot.requests
    timestamp = str(NOW_SECONDS)  # seconds
    sign = base64.b64encode(hmac.new(f"{timestamp}\n{ROBOT_SECRET}".encode(), b"",
                                     hashlib.sha256).digest()).decode()
    text = "\n".join(["【即將到期】專題會議", *LINES, f"— 責任制 · {township.slug}"])
    assert path == "/open-apis/bot/v2/hook/HOOK"
    assert json.loads(body) == {"timestamp": timestamp, "sign": sign, "msg_type": "text",
                                "content": {"text": text}}
    assert log(township)[0]["status"] == "delivered"


def test_a_robot_refusing_with_200_is_a_failed_attempt_retried(township, robot,
                                                                local_targets):
    configure(township, f"{robot.url}/robot/send?access_token=TOKEN", format="dingtalk",
              secret=ROBOT_SECRET)
    robot.answers = [{"errcode": 310000, "errmsg": "sign not match"}]
    send_due_soon(township)
    (row,) = log(township)
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("pending", 1, 200)
    assert row["last_error"] == "dingtalk error 310000: sign not match"
    with time_machine.travel("2026-06-24T09:02:00+08:00", tick=False):
        cli(township, "webhook", "deliver", "--township", township.slug)
    (row,) = log(township)
    assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", 2, None)


def digests(world) -> None:
    """What ``obligations remind`` emits on a week's first run: one digest per person."""
    overdue = {**DUE_SOON, "title": "集中學習", "unit_name": "石門村支部",
               "due_at": "2026-06-20T16:00:00+00:00", "status": "overdue", "days_left": 0,
               "days_overdue": 2, "responsible_role": "branch_secretary",
               "responsible_role_label": "支部書記", "due_on": "2026-06-20",
               "responsible": [{"id": "m-2", "name": "李四"}]}
    with world.scope() as sess:
        emit(sess, "obligation.digest", member_id="m-1", member_name="張三",
             week="2026-W26", overdue=[], open=[DUE_SOON])
        emit(sess, "obligation.digest", member_id="m-2", member_name="李四",
             week="2026-W26", overdue=[overdue], open=[])
        sess.commit()


def test_the_weekly_digest_is_one_message_per_person(township, robot, local_targets):
    configure(township, f"{robot.url}/open-apis/bot/v2/hook/HOOK", format="feishu")
    digests(township)
    cli(township, "webhook", "deliver", "--township", township.slug)
    bodies = [json.loads(body) for _p, _h, body in robot.requests]
    assert all("sign" not in body for body in bodies)  # no secret, no signature
    footer = f"— 責任制 · {township.slug}"
    assert sorted(body["content"]["text"] for body in bodies) == sorted([
        "\n".join(["【本週待辦】張三（2026-W26）", "逾期 0 項", "待辦 1 項",
                   "· 專題會議｜石門鎮黨委｜2026-06-30（週二）｜剩餘 7 天", footer]),
        "\n".join(["【本週待辦】李四（2026-W26）", "逾期 1 項",
                   "· 集中學習｜石門村支部｜2026-06-20（週六）｜已逾期 2 天", "待辦 0 項",
                   footer]),
    ])


def test_an_unknown_format_is_a_field_error(township, robot):
    response = township.client("tenant_admin").put(
        f"{township.base}/plugins/webhook",
        json={"settings": {"url": robot.url, "format": "telegram"}})
    assert response.status_code == 422
    assert "format" in response.json["errors"]["json"]["settings"]
