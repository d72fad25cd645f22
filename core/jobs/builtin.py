"""Core's own periodic jobs, run for every live township (issue 13, item 3).

Both are idempotent, so a run repeated after a crash, or an extra ``worker --once``,
changes nothing: ``materialise`` makes the calendar what the rules say, and each reminder
is sent once (its ``ReminderSent`` row is written with its event). Each returns "" when
it had nothing to do, so an idle run leaves no history row (decision 0015).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from zerenzhi.jobs.spec import Job
from zerenzhi.obligations.materialize import materialise
from zerenzhi.obligations.remind import remind

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from zerenzhi.tenancy.context import TenantRef


def open_periods(session: Session, _tenant: TenantRef, now: dt.datetime) -> str:
    """Materialise the current and coming periods' obligations as of ``now``."""
    changed = materialise(session, now)
    return f"{changed} obligation(s) changed" if changed else ""


def send_reminders(session: Session, _tenant: TenantRef, now: dt.datetime) -> str:
    """Emit the due-soon, overdue and digest reminders due as of ``now`` (as
    ``zerenzhi obligations remind`` does, with its default thresholds)."""
    reminded = remind(session, now)
    return str(reminded) if reminded else ""


CORE_JOBS = (
    Job("obligations.open_periods", open_periods, cron="5 * * * *",
        description="Open each new period's obligations (and the next ones ahead) as periods "
                    "begin; hourly, so a township's midnight is never more than an hour late."),
    Job("obligations.remind", send_reminders, cron="0 1 * * *",
        description="Due-soon, overdue and weekly digest reminders, once each; daily at "
                    "01:00 UTC (09:00 in China)."),
)
