"""``Job``: one piece of periodic work, declared by core or a plugin (``register_jobs``).

A job is per township: the worker calls ``run`` once for every live township that enabled
the plugin which registered it (core's jobs: every live township), each call in its own
transaction and under that township's ``tenant_scope``. So a job's function only ever sees
one township, and one township's failure cannot stop the others (issue 13, item 3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from zerenzhi.tenancy.context import TenantRef

JobFunction = Callable[["Session", "TenantRef", datetime], "str | None"]


@dataclass(frozen=True)
class Job:
    """A periodic job: ``run(session, tenant, now)`` does one township's work as of ``now``.

    ``name`` is ``"<plugin>.<what>"`` (``"webhook.deliver"``; core's start with a core
    area such as ``"obligations."``). ``run`` returns a short outcome text saying what it
    did, or "" (or None) when there was nothing to do: only a run that did something is
    kept in the history (``job_run``), so an idle every-minute job adds no rows. Raising
    marks the run failed — it is rolled back, logged with the township and tried again
    after a back-off (1, 2, 4… minutes, at most an hour). It must not commit: the worker
    commits the job's writes with its record, and its advisory lock lasts until then.
    Being run again for the same ``now`` must do no harm (runs are at least once).

    The schedule is exactly one of ``every`` (an interval counted from 2026-01-01 00:00
    UTC, so every host's ticks agree) or ``cron``, a five-field crontab line (minute hour
    day month weekday) evaluated in **UTC** for every township alike; a job that cares
    about a township's local day reads it from ``now`` and the township's zone
    (``zerenzhi.tenant_zone()``). ``description`` is shown by ``zerenzhi jobs list``.
    """

    name: str
    run: JobFunction
    every: timedelta | None = None
    cron: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name or "." not in self.name:
            raise ValueError(f"job name {self.name!r} must be '<plugin or area>.<what>'")
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"job {self.name}: give exactly one of every= or cron=")
        if self.every is not None and self.every <= timedelta(0):
            raise ValueError(f"job {self.name}: every= must be positive")
        if self.cron is not None:
            if len(self.cron.split()) != 5:
                raise ValueError(f"job {self.name}: cron= needs five fields, got {self.cron!r}")
            from apscheduler.triggers.cron import CronTrigger

            CronTrigger.from_crontab(self.cron, timezone="UTC")  # a bad field fails here

    @property
    def schedule(self) -> str:
        """The schedule as people read it: ``every 0:05:00`` or ``cron 0 6 * * * (UTC)``."""
        if self.every is not None:
            return f"every {self.every}"
        return f"cron {self.cron} (UTC)"
