"""``Idempotency-Key`` on creation (docs/architecture.md, API conventions): the same key and body
get the first answer again; the same key with another body is 422; while the first is
still running, 409. Keys are per user and tenant; records are tenant data like any other.
"""

from __future__ import annotations

import hashlib
import uuid

from flask import Flask, g, request
from flask_smorest import abort
from sqlalchemy import JSON, LargeBinary, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Base, TenantScoped, Timestamped
from zerenzhi.db.session import session

HEADER = "Idempotency-Key"
MAX_KEY = 200


class IdempotencyRecord(TenantScoped, Timestamped, Base):
    __tablename__ = "idempotency_record"
    __audit__ = False  # a replay cache; the write it guards is audited

    user_id: Mapped[uuid.UUID]
    key: Mapped[str] = mapped_column(String(MAX_KEY))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default="running")  # running|done|failed
    status_code: Mapped[int | None] = mapped_column(default=None)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    headers: Mapped[dict | None] = mapped_column(JSON, default=None)

    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "key"),)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def before_request() -> None:
    key = request.headers.get(HEADER)
    if request.method != "POST" or not key or g.get("zz_tenant") is None:
        return
    if len(key) > MAX_KEY:
        abort(422, message=f"{HEADER} is at most {MAX_KEY} characters",
              errors={"headers": {HEADER: ["too long"]}})
    identity, sess, fingerprint = g.zz_identity, session(), _fingerprint()
    record = sess.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == identity.user_id, IdempotencyRecord.key == key))
    if record is not None and record.state != "failed":
        if record.request_hash != fingerprint:
            abort(422, message=f"this {HEADER} was used with another request",
                  errors={"headers": {HEADER: ["already used with another body"]}})
        if record.state == "running":
            abort(409, message="the first request with this key is still running")
        g.zz_replay = record
        return
    if record is None:
        record = IdempotencyRecord(user_id=identity.user_id, key=key,
                                   request_hash=fingerprint)
        sess.add(record)
    record.state, record.request_hash = "running", fingerprint
    sess.commit()  # claim the key before the work runs
    g.zz_idempotency_id = record.id


def replay():
    """Answer with the stored response (a view-less short cut in ``before_request``)."""
    record = g.pop("zz_replay", None)
    if record is None:
        return None
    from flask import Response

    response = Response(record.body, status=record.status_code,
                        headers=record.headers or {}, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def after_request(response):
    record_id = g.pop("zz_idempotency_id", None)
    if record_id is None:
        return response
    sess = session()
    sess.rollback()  # whatever the view left uncommitted is not ours to keep
    record = sess.scalar(select(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    if record is not None:
        if response.status_code >= 500:
            record.state = "failed"
        else:
            record.state, record.status_code = "done", response.status_code
            record.body = response.get_data()
            record.headers = {k: v for k, v in response.headers.items()
                              if k in ("Location", "ETag", "Content-Type")}
        sess.commit()
    return response


def install(app: Flask) -> None:
    app.before_request(before_request)
    app.before_request(replay)
    app.after_request(after_request)
