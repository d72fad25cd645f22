"""An app with the webhook plugin (and the drill plugin's rules, to have obligations), and
a real HTTP receiver on 127.0.0.1 that records what it is sent."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.obligations.drill import DrillPlugin
from zerenzhi.plugins.webhook import plugin as WEBHOOK

SECRET = "s3cret-for-the-robot"


@pytest.fixture
def zz_plugins():
    return [WEBHOOK, DrillPlugin()]


@pytest.fixture
def zz_load_entrypoints():
    return False


@dataclass
class Receiver:
    """What a group-chat robot saw; answers 500 to the first ``failures`` requests."""

    url: str = ""
    failures: int = 0
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        receiver.requests.append((dict(self.headers), body))
        code = 500 if receiver.failures > 0 else 200
        receiver.failures = max(receiver.failures - 1, 0)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/robot")  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.receiver  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_targets(app, monkeypatch):
    """Allow 127.0.0.1 as a target, as an embedded install on a township's LAN would."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_TARGETS", True)


def enable_webhook(world, receiver: Receiver, **settings) -> dict:
    """The township's administrator switches the module on with the robot's URL."""
    world.enable("drill")
    return world.client("tenant_admin").put(
        f"{world.base}/plugins/webhook",
        json={"settings": {"url": receiver.url, "secret": SECRET, **settings}},
    ).assert_status(200).json
