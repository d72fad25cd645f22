"""Structured logs: one JSON object per line, one line per request, with its request id.

``ZERENZHI_LOG_FORMAT=json`` (the default under gunicorn, set by gunicorn.conf.py) puts a
JSON handler on the root logger; ``text`` (the default elsewhere) leaves logging as
Python and Flask set it up. Either way each request emits one ``zerenzhi.request`` record
carrying the request id, the township slug, the user id, the method, the route template
(never the raw path: no ids, no query string, so no feed token), the status and the
duration. Extras whose key names a secret are redacted; request bodies are never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from typing import Any

from flask import g, has_request_context, request

log = logging.getLogger("zerenzhi.request")

REQUEST_ID_HEADER = "X-Request-ID"
# printable ASCII without spaces, at most the 64 characters the audit entry keeps
REQUEST_ID = re.compile(r"[\x21-\x7e]{1,64}")
SECRET_KEY = re.compile(r"secret|passw|token|authori[sz]ation|api_?key|private_?key|"
                        r"credential|cookie|session_?id", re.IGNORECASE)
REDACTED = "[redacted]"
CONTEXT = ("request_id", "township", "user_id", "method", "path", "status", "duration_ms")
# attributes every LogRecord has: whatever else a record carries came in ``extra=``
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}
_HANDLER_NAME = "zerenzhi-json"


def request_id(header: str | None) -> str:
    """The caller's ``X-Request-ID`` when it is a sane token (printable, no spaces, at most
    64 characters: the width of ``audit_entry.request_id``), else a fresh uuid."""
    if header and REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def redact(value: Any) -> Any:
    """``value`` with every entry under a secret-looking key replaced, at any depth."""
    if isinstance(value, dict):
        return {key: REDACTED if SECRET_KEY.search(str(key)) and item is not None
                else redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def request_context() -> dict[str, Any]:
    """request id, township slug and user id of the request being served (if any)."""
    if not has_request_context():
        return {}
    tenant, identity = g.get("zz_tenant"), g.get("zz_identity")
    return {"request_id": g.get("request_id"),
            "township": tenant.slug if tenant is not None else None,
            "user_id": str(identity.user_id) if identity is not None else None}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the request's context, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({key: value for key, value in request_context().items()
                      if value is not None})
        extras = {key: value for key, value in vars(record).items()
                  if key not in _STANDARD and not key.startswith("_")}
        entry.update(redact(extras))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(log_format: str | None) -> None:
    """``json``: every record reaches stderr as one JSON line (once per process, however
    many apps it builds). Anything else leaves logging alone."""
    if (log_format or "text").lower() != "json":
        return
    root = logging.getLogger()
    if any(handler.get_name() == _HANDLER_NAME for handler in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def route_template() -> str:
    """The URL rule that matched (``/api/v1/townships/<township>/units/<uuid:unit_id>``),
    so ids and slugs never become log fields or metric labels; ``<unmatched>`` for 404s."""
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


def log_request(route: str, status: int, duration: float) -> None:
    """The request's one line (its body is never logged)."""
    log.info("%s %s %s", request.method, route, status, extra={
        **request_context(), "method": request.method, "path": route, "status": status,
        "duration_ms": round(duration * 1000, 2)})
