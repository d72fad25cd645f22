"""Calendar periods in a township's time zone: ``2026``, ``2026H1``, ``2026Q3``, ``2026-04``.

Period ends come from RFC 5545 recurrences expanded by dateutil (month ends are
``BYMONTHDAY=-1``), never from day arithmetic.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

PATTERN = re.compile(r"^(?P<year>\d{4})(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|-(?P<month>\d{2}))?$")
# The last day of each period of a cadence, as RFC 5545 rules.
PERIOD_END_RRULES = {
    "year": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31",
    "half_year": "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1",
    "quarter": "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1",
    "month": "FREQ=MONTHLY;BYMONTHDAY=-1",
}
MONTHS_PER = {"year": 12, "half_year": 6, "quarter": 3, "month": 1}


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period in the township's calendar: ``start`` and ``end`` are its first and
    last local days (inclusive), ``cadence`` one of ``year``, ``half_year``, ``quarter``,
    ``month`` (or ``event`` for a single day), ``label`` as the API writes it: ``2026``,
    ``2026H2``, ``2026Q4``, ``2026-11``. Make one with ``parse_period("2026H2")`` or
    ``period_of("quarter", day)``; frozen and ordered, so periods sort and key dicts."""

    start: dt.date
    end: dt.date
    cadence: str
    label: str

    def bounds(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes: local midnight of the first and next-after-last day."""
        zone = ZoneInfo(timezone)
        begin = dt.datetime.combine(self.start, dt.time(), zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), zone)
        return begin, after

    def due_at(self, timezone: str) -> dt.datetime:
        """Due at the end of the last day (the next day's local midnight)."""
        return self.bounds(timezone)[1]


@lru_cache(maxsize=4096)
def _end_of(cadence: str, start: dt.date) -> dt.date:
    """Memoised: a pure function of its arguments, and expanding the RRULE (dateutil's
    ``rrulestr`` parses it anew) cost ~0.1 ms — for the summary's default period, on every
    request (bench/throughput.py --routes summary)."""
    rule = rrulestr(PERIOD_END_RRULES[cadence], dtstart=dt.datetime.combine(start, dt.time()))
    return rule.after(dt.datetime.combine(start, dt.time()), inc=True).date()


def _label(cadence: str, start: dt.date) -> str:
    if cadence == "year":
        return f"{start.year}"
    if cadence == "half_year":
        return f"{start.year}H{1 if start.month <= 6 else 2}"
    if cadence == "quarter":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def period_of(cadence: str, day: dt.date) -> Period:
    """The period of ``cadence`` that contains ``day``."""
    months = MONTHS_PER[cadence]
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    return Period(start, _end_of(cadence, start), cadence, _label(cadence, start))


def parse(text: str) -> Period:
    """``2026`` → the year; ``2026H1``; ``2026Q3``; ``2026-04``. ValueError otherwise."""
    match = PATTERN.match(text.strip())
    if not match:
        raise ValueError("a period is YYYY, YYYYH1/H2, YYYYQ1–Q4 or YYYY-MM")
    year = int(match["year"])
    if match["half"]:
        return period_of("half_year", dt.date(year, 1 if match["half"] == "H1" else 7, 1))
    if match["quarter"]:
        return period_of("quarter", dt.date(year, (int(match["quarter"][1]) - 1) * 3 + 1, 1))
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError("month must be 01–12")
        return period_of("month", dt.date(year, month, 1))
    return period_of("year", dt.date(year, 1, 1))


def periods_within(cadence: str, window: Period) -> list[Period]:
    """The periods of ``cadence`` that overlap ``window`` (a year holds two halves…)."""
    result, day = [], window.start
    while day <= window.end:
        period = period_of(cadence, day)
        result.append(period)
        day = period.end + dt.timedelta(days=1)
    return result


def local_today(timezone: str, now: dt.datetime | None = None) -> dt.date:
    """Today in ``timezone`` (an IANA name). Inside a tenant scope ``today()`` is shorter."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(ZoneInfo(timezone)).date()


parse_period = parse
