"""``Idempotency-Key`` on creation (docs/architecture.md, API conventions; states in
docs/decisions/0014-idempotency-states.md): the same key and body get the first answer again;
the same key with another body is 422 whatever the key's state.

The key is claimed, the request's own writes are made and its response is stored in ONE
transaction, held open on one connection for the whole request: the request's session joins
it through savepoints, so a view's ``commit`` only releases its savepoint. A request that fails
(5xx) or whose worker dies leaves nothing — neither its writes nor its key — and concurrent
requests with one key wait for each other on the key (PostgreSQL: the unique constraint, then
``FOR UPDATE``; SQLite: the write lock taken first). A ``running`` or ``failed`` record can only
have been left by an earlier version that committed the claim first: ``running`` is 409 until
its lease (``IDEMPOTENCY_LEASE_SECONDS`` since it was claimed) has run out, then it is taken
over; ``failed`` is taken over at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from flask import Flask, Response, current_app, g, request
from flask_smorest import abort
from sqlalchemy import JSON, LargeBinary, String, UniqueConstraint, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Base, TenantScoped, Timestamped, new_id, utcnow
from zerenzhi.db.session import session

HEADER = "Idempotency-Key"
MAX_KEY = 200
_HELD = "zz_idempotency"  # g: (connection, outer transaction, record id) of the claimed key


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


_TABLE = IdempotencyRecord.__table__


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _release(commit: bool = False) -> None:
    """End the key's transaction (commit or roll back) and hand the request's session back to
    the engine, so that anything after (teardown, audit) runs as in any other request."""
    held = g.pop(_HELD, None)
    if held is None:
        return
    connection, outer, _record_id = held
    sess = session()
    try:
        sess.rollback()  # whatever the view left uncommitted is not ours to keep
        if commit:
            outer.commit()
    finally:
        if outer.is_active:
            outer.rollback()
        connection.close()
        sess.close()
        sess.bind = current_app.extensions["zerenzhi"].db.engine
        sess.join_transaction_mode = "conservative_savepoint"


def _claim(key: str, fingerprint: str) -> None:
    """Open the request's transaction, lock the key in it and decide: go on (the key is ours),
    replay, 409 or 422. Every answer but "go on" ends the transaction first."""
    sess = session()
    sess.commit()  # the pipeline's reads (identity) end here; their objects stay loaded
    engine = current_app.extensions["zerenzhi"].db.engine
    connection = engine.connect()
    outer = connection.begin()
    setattr(g, _HELD, (connection, outer, None))
    sess.bind, sess.join_transaction_mode = connection, "create_savepoint"
    tenant_id, user_id = g.zz_tenant.id, g.zz_identity.user_id
    now = utcnow()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock serialises the key
        insert = sqlite_insert(_TABLE)
    else:
        insert = pg_insert(_TABLE)
    record_id = connection.scalar(insert.values(
        tenant_id=tenant_id, id=new_id(), user_id=user_id, key=key, request_hash=fingerprint,
        state="running", created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["tenant_id", "user_id", "key"])
        .returning(_TABLE.c.id))
    if record_id is None:  # someone's: wait for its transaction, then lock what it left
        record = connection.execute(select(_TABLE).where(
            _TABLE.c.tenant_id == tenant_id, _TABLE.c.user_id == user_id,
            _TABLE.c.key == key).with_for_update()).one()
        record_id = record.id
        if record.request_hash != fingerprint:
            _release()
            abort(422, message=f"this {HEADER} was used with another request",
                  errors={"headers": {HEADER: ["already used with another body"]}})
        if record.state == "done":
            _release()
            g.zz_replay = record
            return
        lease = dt.timedelta(seconds=current_app.config["IDEMPOTENCY_LEASE_SECONDS"])
        if record.state == "running" and _aware(record.updated_at) + lease > now:
            _release()
            abort(409, message="the first request with this key is still running")
        connection.execute(update(_TABLE).where(
            _TABLE.c.tenant_id == tenant_id, _TABLE.c.id == record_id,
        ).values(state="running", updated_at=now))  # a dead owner's or a failed key: ours now
    setattr(g, _HELD, (connection, outer, record_id))


def before_request() -> None:
    key = request.headers.get(HEADER)
    if request.method != "POST" or not key or g.get("zz_tenant") is None:
        return
    if len(key) > MAX_KEY:
        abort(422, message=f"{HEADER} is at most {MAX_KEY} characters",
              errors={"headers": {HEADER: ["too long"]}})
    try:
        _claim(key, _fingerprint())
    except BaseException:
        _release()
        raise


def replay():
    """Answer with the stored response (a view-less short cut in ``before_request``)."""
    record = g.pop("zz_replay", None)
    if record is None:
        return None
    response = Response(record.body, status=record.status_code,
                        headers=record.headers or {}, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def after_request(response):
    """Store the answer with the request's writes and commit both; a 5xx keeps neither."""
    held = g.get(_HELD)
    if held is None:
        return response
    connection, _outer, record_id = held
    if record_id is None or response.status_code >= 500:
        _release()
        return response
    session().rollback()  # back to the outer transaction: the record is written there
    connection.execute(update(_TABLE).where(
        _TABLE.c.tenant_id == g.zz_tenant.id, _TABLE.c.id == record_id,
    ).values(state="done", status_code=response.status_code, body=response.get_data(),
             headers={k: v for k, v in response.headers.items()
                      if k in ("Location", "ETag", "Content-Type")},
             updated_at=utcnow()))
    _release(commit=True)
    return response


def teardown_request(_exc: BaseException | None = None) -> None:
    """A request that ended in an exception no handler answered keeps nothing."""
    _release()


def install(app: Flask) -> None:
    app.before_request(before_request)
    app.before_request(replay)
    app.after_request(after_request)
    app.teardown_request(teardown_request)
