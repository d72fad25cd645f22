"""A township's mail settings, validated on write and on every load (unknown = RAISE)."""

from __future__ import annotations

import marshmallow as ma

DEFAULT_EVENTS = ("obligation.due_soon", "obligation.overdue", "obligation.digest")
EVENT_NAME = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
SECURITY = ("starttls", "ssl", "none")


class EmailSettings(ma.Schema):
    """Every key has a default, so county layers may set some (the mail server) and
    townships the rest (the recipients).

    Without a ``host``, a ``from_address`` and ``recipients`` the module records nothing.
    Members carry no e-mail address, so messages go to the listed mailboxes (the office's,
    the leaders'), not to each responsible person.
    """

    class Meta:
        unknown = ma.RAISE

    host = ma.fields.String(load_default=None, allow_none=True,
                            validate=ma.validate.Regexp(r"^[A-Za-z0-9.:\[\]-]{1,253}$"),
                            metadata={"description": "the SMTP server, e.g. smtp.example.cn"})
    port = ma.fields.Integer(load_default=587, validate=ma.validate.Range(1, 65535))
    security = ma.fields.String(
        load_default="starttls", validate=ma.validate.OneOf(SECURITY),
        metadata={"description": "starttls (port 587), ssl (implicit TLS, port 465), or none "
                                 "(a relay on the township's own network)"})
    username = ma.fields.String(load_default=None, allow_none=True,
                                validate=ma.validate.Length(min=1, max=200),
                                metadata={"description": "log in as; none: no login"})
    password = ma.fields.String(load_default=None, allow_none=True,
                                validate=ma.validate.Length(min=1, max=200),
                                metadata={"secret": True,  # write-only, encrypted at rest
                                          "description": "the SMTP password or app code"})
    from_address = ma.fields.Email(load_default=None, allow_none=True,
                                   metadata={"description": "the sender, e.g. "
                                                            "dangban@example.cn"})
    from_name = ma.fields.String(load_default="責任制提醒", validate=ma.validate.Length(max=80))
    recipients = ma.fields.List(ma.fields.Email(), load_default=list,
                                validate=ma.validate.Length(max=50),
                                metadata={"description": "the mailboxes every message goes to"})
    events = ma.fields.List(ma.fields.String(validate=ma.validate.Regexp(EVENT_NAME)),
                            load_default=lambda: list(DEFAULT_EVENTS),
                            validate=ma.validate.Length(max=50),
                            metadata={"description": "event names to send"})
    max_attempts = ma.fields.Integer(load_default=5, validate=ma.validate.Range(1, 20))
    timeout_seconds = ma.fields.Integer(load_default=10, validate=ma.validate.Range(1, 60))
