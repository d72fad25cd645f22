"""A township's webhook settings, validated on write and on every load (unknown = RAISE)."""

from __future__ import annotations

import marshmallow as ma

DEFAULT_EVENTS = ("obligation.due_soon", "obligation.overdue", "obligation.digest")
EVENT_NAME = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"


class WebhookSettings(ma.Schema):
    """Every key has a default, so county layers may set some and townships the rest.

    Without a ``url`` the module records nothing. (It should refuse to be enabled without
    one, but core gives ``on_enable`` no way yet to refuse with field errors; and core's
    route matrices enable every installed module with ``{}``.)
    """

    class Meta:
        unknown = ma.RAISE

    url = ma.fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                        require_tld=False, validate=ma.validate.Length(max=2000),
                        metadata={"description": "where to POST, e.g. a group-chat robot"})
    secret = ma.fields.String(load_default=None, allow_none=True,
                              validate=ma.validate.Length(min=16, max=200),
                              metadata={"secret": True,  # write-only, encrypted at rest
                                        "description": "HMAC-SHA256 key for "
                                                       "X-Zerenzhi-Signature; none: unsigned"})
    events = ma.fields.List(ma.fields.String(validate=ma.validate.Regexp(EVENT_NAME)),
                            load_default=lambda: list(DEFAULT_EVENTS),
                            validate=ma.validate.Length(max=50),
                            metadata={"description": "event names to deliver"})
    max_attempts = ma.fields.Integer(load_default=5, validate=ma.validate.Range(1, 20))
    timeout_seconds = ma.fields.Integer(load_default=5, validate=ma.validate.Range(1, 60))
