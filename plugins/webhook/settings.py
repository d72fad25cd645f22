"""A township's webhook settings, validated on write and on every load (unknown = RAISE)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import marshmallow as ma

from zerenzhi.plugins.webhook.formats import FORMATS

DEFAULT_EVENTS = ("obligation.due_soon", "obligation.overdue", "obligation.digest")
EVENT_NAME = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
# A host whose last label is a number is an IPv4 address to browsers and resolvers
# (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``): only the dotted-quad form is kept.
NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)


def check_target_host(url: str | None) -> None:
    """Refuse at settings time what no public target can be: the unspecified address and
    IPv4 written other than as a dotted quad (which hides ``127.0.0.1`` from a reader).
    Private addresses are checked when sending: the operator may allow them."""
    if url is None:
        return
    host = (urlsplit(url).hostname or "").rstrip(".")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
            raise ma.ValidationError("write an IP address as four decimal numbers "
                                     "(a.b.c.d)") from None
        return
    if ip.is_unspecified:
        raise ma.ValidationError(f"{host} is not an address to send to")


class WebhookSettings(ma.Schema):
    """Every key has a default, so county layers may set some and townships the rest.

    Without a ``url`` the module records nothing. (It should refuse to be enabled without
    one, but core gives ``on_enable`` no way yet to refuse with field errors; and core's
    route matrices enable every installed module with ``{}``.)
    """

    class Meta:
        unknown = ma.RAISE

    url = ma.fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                        require_tld=False,
                        validate=[ma.validate.Length(max=2000), check_target_host],
                        metadata={"description": "where to POST, e.g. a group-chat robot's "
                                                 "webhook address with its key or token"})
    format = ma.fields.String(
        load_default="json", validate=ma.validate.OneOf(FORMATS),
        metadata={"description": "json: the event as signed JSON; wecom, dingtalk, feishu: "
                                 "a Chinese message for that group-chat robot (企業微信, "
                                 "釘釘, 飛書)"})
    secret = ma.fields.String(load_default=None, allow_none=True,
                              validate=ma.validate.Length(min=16, max=200),
                              metadata={"secret": True,  # write-only, encrypted at rest
                                        "description": "json: HMAC-SHA256 key for "
                                                       "X-Zerenzhi-Signature; dingtalk, feishu: "
                                                       "the robot's signing secret (加簽, "
                                                       "簽名校驗); none: unsigned"})
    events = ma.fields.List(ma.fields.String(validate=ma.validate.Regexp(EVENT_NAME)),
                            load_default=lambda: list(DEFAULT_EVENTS),
                            validate=ma.validate.Length(max=50),
                            metadata={"description": "event names to deliver"})
    max_attempts = ma.fields.Integer(load_default=5, validate=ma.validate.Range(1, 20))
    timeout_seconds = ma.fields.Integer(load_default=5, validate=ma.validate.Range(1, 60))
