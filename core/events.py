"""Domain events: sent to the ``on_event`` hook of the plugins the tenant enabled, through
the plugin host; obligations and plugins emit them (``zerenzhi.emit``)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from zerenzhi.db.base import utcnow
from zerenzhi.plugin_host.service import call_one, enabled_names
from zerenzhi.tenancy.context import TenantRef, require_tenant

log = logging.getLogger("zerenzhi.events")


@dataclass(frozen=True)
class Event:
    """``name`` is ``"<source>.<what>"`` (``obligation.overdue``, ``study.session_recorded``)."""

    name: str
    tenant: TenantRef
    data: dict[str, Any] = field(default_factory=dict)
    at: dt.datetime = field(default_factory=utcnow)


def emit(session: Session, name: str, *, strict: bool = False, **data: Any) -> Event:
    """Send an event about the current tenant, inside the caller's transaction.

    Each enabled plugin's handler runs in its own savepoint: one that fails is logged and
    undone, and neither the write that emitted the event nor the other plugins suffer.
    With ``strict=True`` (reminders) a failure propagates, so the caller can roll back and
    retry rather than mark as sent what nobody received.
    """
    event = Event(name, require_tenant(), data)
    for plugin in sorted(enabled_names(session)):
        try:
            with session.begin_nested():
                call_one(plugin, "on_event", session=session, tenant=event.tenant, event=event)
        except Exception:
            if strict:
                raise
            log.exception("plugin %s failed on event %s", plugin, name)
    return event
