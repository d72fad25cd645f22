"""Canonical form and hash of an audit entry; shared by the recorder and the verifier."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
import uuid
from typing import Any

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def canonical(fields: dict[str, Any]) -> str:
    return json.dumps(jsonable(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


HASHED_FIELDS = (
    "tenant_id", "id", "seq", "at", "actor_id", "actor", "action", "target_type",
    "target_id", "before", "after", "request_id",
)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    body = canonical({name: fields.get(name) for name in HASHED_FIELDS})
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()
