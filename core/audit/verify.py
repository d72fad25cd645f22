"""Re-computes a tenant's audit chain and reports the first break."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.audit.chain import GENESIS, HASHED_FIELDS, entry_hash
from zerenzhi.audit.models import AuditEntry


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def _rows(session: Session) -> Iterator[AuditEntry]:
    statement = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    yield from session.scalars(statement)


def verify_chain(session: Session) -> tuple[int, ChainBreak | None]:
    """Walk the current tenant's entries in order; return (entries checked, first break)."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for entry in _rows(session):
        count += 1
        if entry.seq != expected_seq:
            reason = f"expected entry {expected_seq}: missing or reordered"
            return count, ChainBreak(entry.seq, reason)
        if entry.prev_hash != prev_hash:
            return count, ChainBreak(entry.seq, "previous-hash link broken")
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry_hash(prev_hash, fields) != entry.hash:
            return count, ChainBreak(entry.seq, "content does not match its hash (edited)")
        prev_hash, expected_seq = entry.hash, expected_seq + 1
    return count, None


def head(session: Session) -> str | None:
    """The newest entry's hash: kept outside the database, it exposes a cut-off tail."""
    return session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
