"""Domain events: sent to the ``on_event`` hook of the plugins the tenant enabled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from core.db.base import utcnow
from core.tenancy.context import TenantRef, require_tenant


@dataclass(frozen=True)
class Event:
    """``name`` is ``"<source>.<what>"`` (``obligation.overdue``, ``study.session_recorded``)."""

    name: str
    tenant: TenantRef
    data: dict[str, Any] = field(default_factory=dict)
    at: dt.datetime = field(default_factory=utcnow)


def emit(session: Session, name: str, **data: Any) -> Event:
    """Send an event about the current tenant, inside the caller's transaction."""
    from core.plugins.service import hooks

    event = Event(name, require_tenant(), data)
    hooks(session).on_event(session=session, tenant=event.tenant, event=event)
    return event
