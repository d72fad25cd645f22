"""The township's calendar: today and the instants a dated record stands for, in the
tenant's time zone (Asia/Shanghai by default). Periods and due dates are local days, so a
record dated by the user is placed on that local day, never on a UTC one."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from zerenzhi.tenancy.context import require_tenant


def tenant_zone() -> ZoneInfo:
    """The current tenant's time zone (raises outside a tenant scope)."""
    return ZoneInfo(require_tenant().timezone)


def today(now: dt.datetime | None = None) -> dt.date:
    """Today in the current tenant's time zone (``now`` for tests and jobs)."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(tenant_zone()).date()


def local_noon(day: dt.date) -> dt.datetime:
    """When a record dated ``day`` happened, for the ledger: local midday, so that it falls
    on that local day whatever the UTC offset."""
    return dt.datetime.combine(day, dt.time(12), tenant_zone())


def start_of_day(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day``: a deadline "by day D" is ``start_of_day(D + 1)``."""
    return dt.datetime.combine(day, dt.time(), tenant_zone())
