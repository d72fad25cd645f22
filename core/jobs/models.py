"""What the worker keeps: each (job, township)'s state, the runs that did something, and
that it is alive.

``job_state`` is one row per (job, township), updated by every run: how the last one
ended, when one last succeeded, how many failed in a row and when a failing one is tried
again. ``job_run`` is the history, written only for a run that did something (the job
returned an outcome text) or failed; an empty run or a skipped one writes no row, so an
idle township's every-minute jobs add nothing (decision 0015). Both carry the township,
so they are tenant tables like every other core table (``tenant_id`` first in the key,
under row-level security): the worker writes them inside the township's scope and
transaction, and ``jobs list`` reads them township by township. ``worker_heartbeat`` names
no township (a host's process and when it last beat): a global table beside ``tenant``,
read by ``/readyz`` outside any tenant.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zerenzhi.db.base import Base, TenantScoped, utcnow

OUTCOMES = ("ok", "failed")


class JobState(TenantScoped, Base):
    """Where one job stands for one township. Times are the ``now`` each run was given
    (the wall clock in the worker; ``--at`` when an operator says so)."""

    __tablename__ = "job_state"
    __audit__ = False  # operator data about the worker, not a township's record

    job: Mapped[str] = mapped_column(String(100))
    last_run_at: Mapped[dt.datetime]
    last_outcome: Mapped[str] = mapped_column(String(8))
    last_detail: Mapped[str] = mapped_column(Text, default="")
    # the latest ``now`` of an ok run: every tick at or before it is done
    last_success_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    failures: Mapped[int] = mapped_column(default=0)  # consecutive, 0 after an ok run
    retry_at: Mapped[dt.datetime | None] = mapped_column(default=None)  # while failing

    __table_args__ = (
        CheckConstraint("last_outcome IN ('ok', 'failed')", name="last_outcome"),
        UniqueConstraint("tenant_id", "job"),
    )


class JobRun(TenantScoped, Base):
    """A run that did something or failed: ``as_of`` is the ``now`` it was given."""

    __tablename__ = "job_run"
    __audit__ = False  # operator data about the worker, not a township's record

    job: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(8))
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("outcome IN ('ok', 'failed')", name="outcome"),
        Index("ix_job_run_tenant_id_job_as_of", "tenant_id", "job", "as_of"),
    )


class WorkerHeartbeat(Base):
    """A worker process (``host:pid``) and the last time it beat."""

    __tablename__ = "worker_heartbeat"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
