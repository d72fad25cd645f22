"""An app with the e-mail plugin (and the drill plugin's rules, to have obligations), and a
real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it is sent."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.obligations.drill import DrillPlugin
from zerenzhi.plugins.email import plugin as EMAIL

LOGIN, PASSWORD = "mailer", "pa55-w0rd"
SENDER, RECIPIENTS = "dangban@example.cn", ["shuji@example.cn", "bangongshi@example.cn"]


@pytest.fixture
def zz_plugins():
    return [EMAIL, DrillPlugin()]


@pytest.fixture
def zz_load_entrypoints():
    return False


@dataclass
class Mailbox:
    """What the SMTP server accepted; answers 451 to the first ``failures`` messages."""

    port: int = 0
    failures: int = 0
    envelopes: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.failures > 0:
            self.failures -= 1
            return "451 4.3.0 try again later"
        self.envelopes.append(envelope)
        return "250 OK"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        LOGIN.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox(port=port)
    controller = Controller(box, hostname="127.0.0.1", port=port,
                            authenticator=_authenticate, auth_require_tls=False)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def local_hosts(app, monkeypatch):
    """Allow 127.0.0.1 as the mail server, as a relay on a township's LAN would be."""
    monkeypatch.setitem(app.config, "EMAIL_ALLOW_PRIVATE_HOSTS", True)


def enable_email(world, mailbox: Mailbox, *, drill: bool = True, **settings) -> dict:
    """The township's administrator switches the module on with its mail server."""
    if drill:
        world.enable("drill")
    return world.client("tenant_admin").put(
        f"{world.base}/plugins/email",
        json={"settings": {"host": "127.0.0.1", "port": mailbox.port, "security": "none",
                           "from_address": SENDER, "recipients": RECIPIENTS, **settings}},
    ).assert_status(200).json
