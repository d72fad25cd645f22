"""Writes one audit entry per changed row, in the flush that changes it.

Installed on the session class, so every write through the ORM is audited without
a call in any route or service; ``record`` adds entries for events with no row change
(a denied-but-logged read, an export). Appends are serialised per tenant.

The log is immutable, so no secret may enter it: a key named like one (``password_hash``,
``api_key``, ``clientSecret``…) is masked at any depth of a value, as are the keys a row
names in ``audit_secret_keys()`` (a module's secret settings) and every encrypted value.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, inspect, select, text
from sqlalchemy.orm import Session

from zerenzhi.audit.chain import GENESIS, entry_hash, jsonable
from zerenzhi.audit.models import AuditEntry
from zerenzhi.db.base import TenantScoped, new_id, utcnow
from zerenzhi.secrets import is_sealed
from zerenzhi.tenancy.context import TenantContextError, current_tenant

# whole words of a snake_case (or camelCase) key: "secretary" and "rule_key" are no secrets
SECRET_WORDS = re.compile(
    r"(?:^|_)(?:secret|password|passwd|token|api_?key|private_?key|credentials?)(?:_|$)")
MASK = "***"


@dataclass(frozen=True)
class Actor:
    label: str
    user_id: uuid.UUID | None = None
    request_id: str | None = None


SYSTEM = Actor("system")
_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "zerenzhi_actor", default=None
)


def set_actor(actor: Actor) -> contextvars.Token:
    return _actor.set(actor)


def reset_actor(token: contextvars.Token) -> None:
    _actor.reset(token)


def current_actor() -> Actor:
    return _actor.get() or SYSTEM


def _audited(obj: Any) -> bool:
    if getattr(obj, "__audit__", True) is False:
        return False
    return isinstance(obj, TenantScoped) or hasattr(obj, "__audit_tenant_attr__")


def _tenant_of(obj: Any) -> uuid.UUID | None:
    if isinstance(obj, TenantScoped):
        return obj.tenant_id
    return getattr(obj, obj.__audit_tenant_attr__)


def looks_secret(key: str) -> bool:
    """Whether a key names a secret, whatever its case style."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower().replace("-", "_")
    return SECRET_WORDS.search(words) is not None


def _visible(key: str) -> bool:
    return not looks_secret(key)


def _masked(value: Any, named: frozenset[str] = frozenset()) -> Any:
    """``value`` with secrets replaced at any depth (an unset one stays ``None``)."""
    if isinstance(value, dict):
        return {key: (MASK if item is not None else None)
                if key in named or looks_secret(str(key)) else _masked(item, named)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, named) for item in value]
    return MASK if is_sealed(value) else value


def _secret_keys(obj: Any) -> frozenset[str]:
    named = getattr(obj, "audit_secret_keys", None)
    return named() if named else frozenset()


def _snapshot(obj: Any) -> dict[str, Any]:
    state, named = inspect(obj), _secret_keys(obj)
    return {
        attr.key: _masked(jsonable(attr.value), named)
        for attr in state.attrs
        if attr.key in state.mapper.columns and _visible(attr.key)
    }


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    before, after = {}, {}
    state, named = inspect(obj), _secret_keys(obj)
    for attr in state.attrs:
        if attr.key not in state.mapper.columns or attr.key == "updated_at":
            continue
        history = attr.history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if _visible(attr.key):
            before[attr.key] = _masked(jsonable(old), named)
            after[attr.key] = _masked(jsonable(new), named)
        else:
            before[attr.key], after[attr.key] = "***", "*** (changed)"
    return before, after


def _action(obj: Any, kind: str, before: dict, after: dict) -> str:
    if kind == "update" and "archived_at" in after:
        kind = "archive" if after["archived_at"] else "restore"
    return f"{obj.__tablename__}.{kind}"


def _assign_ids(session: Session, _ctx, _instances) -> None:
    for obj in session.new:
        if _audited(obj) and getattr(obj, "id", 1) is None:
            obj.id = new_id()


def _collect(session: Session, _ctx) -> None:
    entries = []
    for obj in session.new:
        if _audited(obj):
            entries.append((obj, "create", None, _snapshot(obj)))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                entries.append((obj, "update", before, after))
    for obj, kind, before, after in entries:
        action = _action(obj, kind, before or {}, after or {})
        _append(
            session, _tenant_of(obj), action, obj.__tablename__,
            str(getattr(obj, "id", "") or ""), before, after,
        )


def _lock_tenant(session: Session, tenant_id: uuid.UUID) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(tenant_id.bytes[:8], "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _tail(session: Session, tenant_id: uuid.UUID) -> tuple[int, str]:
    cache = session.info.setdefault("zz_audit_tail", {})
    if tenant_id not in cache:
        _lock_tenant(session, tenant_id)
        table = AuditEntry.__table__
        row = session.connection().execute(
            select(table.c.seq, table.c.hash)
            .where(table.c.tenant_id == tenant_id)
            .order_by(table.c.seq.desc())
            .limit(1)
        ).first()
        cache[tenant_id] = (row.seq, row.hash) if row else (0, GENESIS)
    return cache[tenant_id]


def _append(
    session: Session, tenant_id: uuid.UUID | None, action: str, target_type: str,
    target_id: str | None, before: dict | None, after: dict | None,
) -> None:
    if tenant_id is None:
        return  # platform-level rows (a platform operator's own account) have no tenant log
    tenant = current_tenant()
    if tenant is None or tenant.id != tenant_id:
        raise TenantContextError(f"audit of {action} outside its tenant's scope")
    seq, prev_hash = _tail(session, tenant_id)
    actor = current_actor()
    fields = {
        "tenant_id": tenant_id, "id": new_id(), "seq": seq + 1, "at": utcnow(),
        "actor_id": actor.user_id, "actor": actor.label, "action": action,
        "target_type": target_type, "target_id": target_id, "before": before,
        "after": after, "request_id": actor.request_id,
    }
    digest = entry_hash(prev_hash, fields)
    session.connection().execute(
        insert(AuditEntry.__table__).values(**fields, prev_hash=prev_hash, hash=digest)
    )
    session.info["zz_audit_tail"][tenant_id] = (seq + 1, digest)


def record(
    session: Session, action: str, target_type: str, target_id: Any = None,
    before: dict | None = None, after: dict | None = None,
) -> None:
    """Audit an event that changes no row (a read of a sensitive record, an export)."""
    tenant = current_tenant()
    if tenant is None:
        raise TenantContextError("audit record with no tenant in context")
    _append(
        session, tenant.id, action, target_type,
        None if target_id is None else str(target_id), _masked(jsonable(before)),
        _masked(jsonable(after)),
    )


def _forget_tail(session: Session, *_args) -> None:
    session.info.pop("zz_audit_tail", None)


def install_audit(session_class) -> None:
    """Audit every flush of ``session_class`` (installed by ``create_app``)."""
    event.listen(session_class, "before_flush", _assign_ids)
    event.listen(session_class, "after_flush", _collect)
    event.listen(session_class, "after_commit", _forget_tail)
    event.listen(session_class, "after_rollback", _forget_tail)
    event.listen(session_class, "after_soft_rollback", _forget_tail)
