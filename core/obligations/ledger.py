"""The fulfilment ledger: the only way evidence counts toward obligations.

A plugin calls ``sync`` whenever a record that counts is created, edited or archived,
inside the same transaction, saying what the record counts for *now*; the ledger adds,
moves and archives entries to match. Nothing is hard-deleted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi.db.base import utcnow
from zerenzhi.obligations.models import Fulfilment
from zerenzhi.tenancy.context import require_tenant


@dataclass(frozen=True)
class Evidence:
    """``source`` counts for ``rule_key`` at ``unit_id``, as of ``occurred_at``.

    ``counts_on`` attributes it to the period holding that date instead of the one it
    happened in (a half-year report for H1 submitted on 3 July); ``occurred_at`` stays the
    moment it happened, so a late fulfilment still shows as late.
    """

    rule_key: str
    unit_id: uuid.UUID
    occurred_at: dt.datetime
    obligation_id: uuid.UUID | None = None
    counts_on: dt.date | None = None


def _local_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    return moment.astimezone(ZoneInfo(require_tenant().timezone)).date()


def sync(session: Session, source_type: str, source_id: uuid.UUID | str,
         evidence: list[Evidence]) -> None:
    """Make the ledger say exactly ``evidence`` for this source record."""
    source_id = str(source_id)
    current = {
        (entry.rule_key, entry.unit_id, entry.obligation_id): entry
        for entry in session.scalars(
            select(Fulfilment).where(
                Fulfilment.source_type == source_type, Fulfilment.source_id == source_id,
                Fulfilment.archived_at.is_(None),
            )
        )
    }
    wanted = {(e.rule_key, e.unit_id, e.obligation_id): e for e in evidence}
    for key, entry in current.items():
        if key not in wanted:
            entry.archived_at = utcnow()
        else:
            item = wanted[key]
            counts_on = item.counts_on or _local_date(item.occurred_at)
            if (entry.occurred_at, entry.occurred_on) != (item.occurred_at, counts_on):
                entry.occurred_at, entry.occurred_on = item.occurred_at, counts_on
    for key, item in wanted.items():
        if key not in current:
            session.add(Fulfilment(
                rule_key=item.rule_key, unit_id=item.unit_id, occurred_at=item.occurred_at,
                occurred_on=item.counts_on or _local_date(item.occurred_at),
                source_type=source_type,
                source_id=source_id, obligation_id=item.obligation_id,
            ))
    session.flush()


def withdraw(session: Session, source_type: str, source_id: uuid.UUID | str) -> None:
    """The source record was archived: it counts for nothing any more."""
    sync(session, source_type, source_id, [])
