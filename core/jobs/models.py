"""What the worker records: every (job, township) run, and that it is alive.

``job_run`` carries the township, so it is a tenant table like every other core table
(``tenant_id`` first in its key, under row-level security): the worker writes it inside the
township's scope and transaction, and ``jobs list`` reads it township by township.
``worker_heartbeat`` names no township (a host's process and when it last beat): a global
table beside ``tenant``, read by ``/readyz`` outside any tenant (decision 0015).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Base, TenantScoped, utcnow

OUTCOMES = ("ok", "failed", "skipped")


class JobRun(TenantScoped, Base):
    """One run of one job for one township: ``as_of`` is the ``now`` it was given."""

    __tablename__ = "job_run"
    __audit__ = False  # operator data about the worker, not a township's record

    job: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(8))
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("outcome IN ('ok', 'failed', 'skipped')", name="outcome"),
        Index("ix_job_run_tenant_id_job_as_of", "tenant_id", "job", "as_of"),
    )


class WorkerHeartbeat(Base):
    """A worker process (``host:pid``) and the last time it beat."""

    __tablename__ = "worker_heartbeat"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
