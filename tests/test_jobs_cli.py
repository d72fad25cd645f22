"""``zerenzhi jobs list``: every job with its schedule, its last run (when, and how each
township's latest run ended, naming the failing ones) and its next run."""

from __future__ import annotations

import re

import pytest

from tests.test_worker import FAIL_IN, ChorePlugin, _job
from zerenzhi.db.base import utcnow
from zerenzhi.jobs import runner


@pytest.fixture
def zz_plugins():
    return [ChorePlugin()]


def test_jobs_list_shows_schedules_last_runs_and_next_runs(app, township):
    township.enable("chore")
    FAIL_IN.add(township.slug)
    try:
        runner.run_job(app, _job(app, "chore.sweep"), utcnow(), township.slug)
    finally:
        FAIL_IN.discard(township.slug)
    result = app.test_cli_runner().invoke(args=["jobs", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for header in ("obligations.open_periods  [core]  cron 5 * * * * (UTC)",
                   "obligations.remind  [core]  cron 0 1 * * * (UTC)",
                   "webhook.deliver  [webhook]  every 0:01:00",
                   "chore.sweep  [chore]  every 0:05:00"):
        assert header in lines, result.output
    chore = lines.index("chore.sweep  [chore]  every 0:05:00")
    last = lines[chore + 1]
    assert re.fullmatch(r"    last: \d{4}-\d\d-\d\d \d\d:\d\d UTC \([^)]*\d+ failed[^)]*\)  "
                        r"next: \d{4}-\d\d-\d\d \d\d:\d\d UTC", last), last
    assert township.slug in lines[chore + 2] and lines[chore + 2].startswith("    failing in:")
    assert lines[chore + 3] == "    Sweep."
