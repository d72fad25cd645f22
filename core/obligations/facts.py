"""The calendar follows the facts: a flush that changes what a township owes — its go-live
date, a module enabled or disabled (``TenantPlugin``), a rule's numbers (``RuleVersion``), a
unit added, moved or archived, a row a rule's ``units`` reads (``units_follow``) — marks the
township, and the commit materialises its obligations (``materialise``) in the same
transaction. Central, like the audit and the
tally, so no service (or plugin) can change a fact and forget the calendar; and never on a
read, since a read flushes none of these.
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask import has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from zerenzhi.obligations.materialize import materialise
from zerenzhi.obligations.models import RuleVersion
from zerenzhi.obligations.versions import registry
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant

_MARKS = "zz_calendar_facts"
_FACTS = (OrgUnit, TenantPlugin, RuleVersion)
_NOT_YET = dt.date.max  # a mark with no go-live: from the current period only
_FROM_GO_LIVE = dt.date.min  # from the township's go-live date


def _mark(session: Session, tenant_id: uuid.UUID | None, since: dt.date = _NOT_YET) -> None:
    if tenant_id is None:
        return
    marks: dict[uuid.UUID, dt.date] = session.info.setdefault(_MARKS, {})
    marks[tenant_id] = min(marks.get(tenant_id, _NOT_YET), since)


def _went_live(tenant: Tenant, is_new: bool) -> dt.date | None:
    """The date to materialise from when ``tenant`` was provisioned or its go-live moved."""
    if tenant.kind != "township" or tenant.live_from is None:
        return None
    if is_new:
        return tenant.live_from
    history = inspect(tenant).attrs.live_from.history
    if not history.has_changes():
        return None
    return min([tenant.live_from, *(d for d in history.deleted if d is not None)])


def _followed() -> frozenset[str]:
    """Plugin tables some rule's ``units`` reads (``RuleDef.units_follow``)."""
    if not has_app_context():
        return frozenset()
    return frozenset(t for rule in registry() for t in rule.units_follow)


def _collect(session: Session, _context) -> None:
    followed = _followed()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _FACTS):
            _mark(session, obj.tenant_id)
        elif getattr(obj, "__tablename__", None) in followed and hasattr(obj, "tenant_id"):
            # a rule's units() judges each period by the record's own dates (a channel
            # registered in March concerns Q2 on), so the whole calendar is re-derived
            _mark(session, obj.tenant_id, _FROM_GO_LIVE)
        elif isinstance(obj, Tenant):
            since = _went_live(obj, obj in session.new)
            if since is not None:
                _mark(session, obj.id, since)


def settle(session: Session) -> None:
    """Materialise now what the facts flushed so far changed, rather than at the commit: for
    work later in the same transaction that reads the calendar (demo data cites obligations
    of the township it is provisioning). A read-only transaction has nothing to settle and
    writes nothing."""
    if session.new or session.dirty or session.deleted or session.info.get(_MARKS):
        _materialise(session)


def _materialise(session: Session, *_args) -> None:
    session.flush()  # a fact still pending marks its township now
    marks = session.info.pop(_MARKS, None)
    while marks:
        for tenant_id, since in sorted(marks.items()):
            tenant = session.get(Tenant, tenant_id)
            if tenant is None or tenant.kind != "township" or tenant.archived_at is not None:
                continue
            if since == _FROM_GO_LIVE:
                since = tenant.live_from or _NOT_YET
            with tenant_scope(tenant.ref()):
                materialise(session, since=None if since == _NOT_YET else since)
                session.flush()
        marks = session.info.pop(_MARKS, None)  # materialising touches no fact; to be sure


def _forget(session: Session, *_args) -> None:
    session.info.pop(_MARKS, None)


def install_calendar(session_class) -> None:
    """Materialise on commit what a flush of ``session_class`` changed (``create_app``)."""
    event.listen(session_class, "after_flush", _collect)
    event.listen(session_class, "before_commit", _materialise)
    event.listen(session_class, "after_rollback", _forget)
    event.listen(session_class, "after_soft_rollback", _forget)
