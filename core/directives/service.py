"""Directives downward (W1 督辦) and reports upward (R1, R3, P2), without Flask.

A county's directive is written once as county data, then once per target township in
that township's own scope: its copy of the task and an event obligation of the core rule
``county.directive`` on its committee, due at the directive's deadline. The obligation
puts the task in the township's calendar, summary, reminders (``obligations remind``)
and the county's roll-ups; a completion report fulfils it through the ledger.

Reports go upward through ``send_upward`` (a plugin calls it in the township's scope);
the county reads them through its county read scope and acknowledges them, writing the
acknowledgement onto the township's row in the township's scope.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.base import utcnow
from core.directives.models import Directive, DirectiveTarget, InboxItem
from core.labels import Label
from core.obligations.ledger import Evidence, sync
from core.obligations.materialize import open_event_obligation
from core.obligations.rules import RuleDef, RuleRegistry
from core.orgunits.service import root_unit
from core.tenancy.context import TenantRef, county_read_scope, require_tenant, tenant_scope
from core.tenancy.models import Tenant

RULE_PLUGIN = "county"
RULE_KEY = "county.directive"
TRIGGER = "directive"
SOURCE = "directive_target"
DEFAULT_DEADLINE_HOURS = 14 * 24  # the rule needs one; every directive sets its own

DIRECTIVE_RULE = RuleDef(
    key=RULE_KEY, source="W1",
    title=Label("上級督辦事項", "Directive from the county (W1)"),
    cadence="event", applies_to=("committee",), responsible="secretary",
    evidence=Label("辦結報告", "Completion report"),
    deadline_hours=DEFAULT_DEADLINE_HOURS,
    notes={"owner": "core: the county assigns it; townships cannot switch it off"},
)


class DirectiveError(ValueError):
    """A domain validation error on one field (422) or a conflict (409)."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def ensure_rule(registry: RuleRegistry) -> None:
    """Register ``county.directive`` in an app's rule registry (idempotent). Core's rule,
    not a plugin's: no plugin enables it and no township can switch it off (the rules
    routes list the enabled plugins' rules only)."""
    if registry.get(RULE_KEY) is None:
        with contextlib.suppress(ValueError):  # already there: nothing to do
            registry.add(DIRECTIVE_RULE, plugin=RULE_PLUGIN)


def target_state(target: DirectiveTarget, now: dt.datetime) -> str:
    """open | completed | overdue (open past its deadline)."""
    if target.status == "completed":
        return "completed"
    return "overdue" if target.deadline <= now else "open"


# --- downward: directives ------------------------------------------------------------------

def _targets(session: Session, county: TenantRef, slugs: Iterable[str] | None) -> list[Tenant]:
    towns = list(session.scalars(select(Tenant).where(
        Tenant.county_id == county.id, Tenant.kind == "township",
        Tenant.archived_at.is_(None)).order_by(Tenant.slug)))
    if slugs is None:
        if not towns:
            raise DirectiveError("townships", "this county has no townships")
        return towns
    by_slug = {t.slug: t for t in towns}
    wanted = list(dict.fromkeys(slugs))
    unknown = [s for s in wanted if s not in by_slug]
    if unknown:
        raise DirectiveError("townships", "not townships of this county: " + ", ".join(unknown))
    return [by_slug[s] for s in wanted]


def create_directive(session: Session, *, title: str, content: str, deadline: dt.datetime,
                     townships: list[str] | None = None,
                     issued_by: uuid.UUID | None = None) -> Directive:
    """Assign a task to all (``townships=None``) or some of the county's townships.

    Runs as the county; each township's copy and obligation are written in its scope.
    """
    county = require_tenant()
    if county.kind != "county":
        raise DirectiveError("_schema", "only a county issues directives")
    now = utcnow()
    if deadline <= now:
        raise DirectiveError("deadline", "must be in the future")
    towns = _targets(session, county, townships)
    directive = Directive(title=title, content=content, deadline=deadline,
                          all_townships=townships is None, issued_by=issued_by)
    session.add(directive)
    session.flush()
    for town in towns:
        with tenant_scope(town.ref()):
            committee = root_unit(session)
            if committee is None:
                raise DirectiveError("townships", f"{town.slug} has no committee unit")
            obligation = open_event_obligation(session, RULE_KEY, committee.id, TRIGGER,
                                               directive.id, now, due_at=deadline)
            session.add(DirectiveTarget(
                directive_id=directive.id, unit_id=committee.id,
                obligation_id=obligation.id if obligation is not None else None,
                title=title, content=content, deadline=deadline))
            session.flush()
    return directive


def _describe(directive: Directive, targets: list, now: dt.datetime) -> dict[str, Any]:
    rows = []
    for target, slug, name in targets:
        rows.append({"township": {"slug": slug, "name": name},
                     "status": target_state(target, now), "completed_at": target.completed_at,
                     "report": target.report})
    rows.sort(key=lambda r: r["township"]["slug"])
    states = [r["status"] for r in rows]
    return {
        "id": directive.id, "title": directive.title, "content": directive.content,
        "deadline": directive.deadline, "all_townships": directive.all_townships,
        "created_at": directive.created_at,
        "counts": {"townships": len(rows), "completed": states.count("completed"),
                   "overdue": states.count("overdue"), "open": states.count("open")},
        "townships": rows,
    }


def _with_targets(session: Session, county: TenantRef, directives: list[Directive],
                  now: dt.datetime) -> list[dict[str, Any]]:
    by_directive: dict[uuid.UUID, list] = {d.id: [] for d in directives}
    if directives:
        with county_read_scope(county):
            rows = session.execute(
                select(DirectiveTarget, Tenant.slug, Tenant.name)
                .join(Tenant, Tenant.id == DirectiveTarget.tenant_id)
                .where(DirectiveTarget.directive_id.in_(list(by_directive)))).all()
        for target, slug, name in rows:
            by_directive[target.directive_id].append((target, slug, name))
    return [_describe(d, by_directive[d.id], now) for d in directives]


def county_directives(session: Session, county: TenantRef, now: dt.datetime, *,
                      limit: int, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """The county's directives, newest first, each with every target township's status."""
    live = select(Directive).where(Directive.archived_at.is_(None))
    total = session.scalar(select(func.count()).select_from(live.subquery()))
    directives = list(session.scalars(
        live.order_by(Directive.created_at.desc(), Directive.id.desc())
        .limit(limit).offset(offset)))
    return _with_targets(session, county, directives, now), total or 0


def county_directive(session: Session, county: TenantRef, directive: Directive,
                     now: dt.datetime) -> dict[str, Any]:
    """One of the county's directives with every target township's status."""
    return _with_targets(session, county, [directive], now)[0]


def township_directive(session: Session, directive_id: uuid.UUID) -> DirectiveTarget | None:
    """This township's copy of a directive (None for another township's or unknown)."""
    return session.scalar(select(DirectiveTarget).where(
        DirectiveTarget.directive_id == directive_id))


def complete(session: Session, directive_id: uuid.UUID, report: str,
             by: uuid.UUID | None = None) -> DirectiveTarget | None:
    """Record the completion report; the directive's obligation turns fulfilled."""
    target = township_directive(session, directive_id)
    if target is None:
        return None
    if target.status == "completed":
        raise DirectiveError("_schema", "already completed", status=409)
    target.status, target.report = "completed", report
    target.completed_at, target.completed_by = utcnow(), by
    session.flush()
    if target.obligation_id is not None:
        sync(session, SOURCE, target.id, [Evidence(
            RULE_KEY, target.unit_id, target.completed_at, obligation_id=target.obligation_id)])
    return target


# --- upward: the county inbox --------------------------------------------------------------

def send_upward(session: Session, kind: str, title: str, body: str, source_type: str,
                source_id) -> InboxItem:
    """Send a township's report to its county's inbox (R1 half-year report, R3 major
    situation, P2 incident). Call in the township's scope, in the source record's
    transaction. Sending the same source again replaces the content and asks for a new
    acknowledgement."""
    tenant = require_tenant()
    if tenant.kind != "township":
        raise ValueError("only a township sends reports upward")
    if not kind or not title or not source_type:
        raise ValueError("kind, title and source_type are required")
    source_id = str(source_id)
    item = session.scalar(select(InboxItem).where(
        InboxItem.source_type == source_type, InboxItem.source_id == source_id))
    if item is None:
        item = InboxItem(source_type=source_type, source_id=source_id, kind=kind,
                         title=title, body=body, sent_at=utcnow())
        session.add(item)
    else:
        item.kind, item.title, item.body, item.sent_at = kind, title, body, utcnow()
        item.acknowledged_at = item.acknowledged_by = item.acknowledgement_note = None
    session.flush()
    return item


def _inbox_out(item: InboxItem, slug: str, name: str) -> dict[str, Any]:
    return {"id": item.id, "township": {"slug": slug, "name": name}, "kind": item.kind,
            "title": item.title, "body": item.body, "source_type": item.source_type,
            "source_id": item.source_id, "sent_at": item.sent_at,
            "acknowledged_at": item.acknowledged_at,
            "acknowledgement_note": item.acknowledgement_note}


def county_inbox(session: Session, county: TenantRef, *, acknowledged: bool | None,
                 limit: int, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """What the county's townships sent upward, newest first."""
    statement = select(InboxItem, Tenant.slug, Tenant.name).join(
        Tenant, Tenant.id == InboxItem.tenant_id)
    if acknowledged is not None:
        statement = statement.where(InboxItem.acknowledged_at.is_not(None) if acknowledged
                                    else InboxItem.acknowledged_at.is_(None))
    with county_read_scope(county):
        total = session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = session.execute(statement.order_by(InboxItem.sent_at.desc(), InboxItem.id.desc())
                               .limit(limit).offset(offset)).all()
    return [_inbox_out(*row) for row in rows], total or 0


def acknowledge(session: Session, county: TenantRef, item_id: uuid.UUID, note: str,
                by: uuid.UUID | None = None) -> dict[str, Any] | None:
    """The county acknowledges a report; written on the township's row, in its scope.
    None when the item is not one of the county's townships' (unknown or foreign)."""
    with county_read_scope(county):
        found = session.execute(
            select(InboxItem, Tenant).join(Tenant, Tenant.id == InboxItem.tenant_id)
            .where(InboxItem.id == item_id, Tenant.county_id == county.id)).first()
    if found is None:
        return None
    item, town = found
    if item.acknowledged_at is not None:
        raise DirectiveError("_schema", "already acknowledged", status=409)
    with tenant_scope(town.ref()):
        item.acknowledged_at, item.acknowledged_by = utcnow(), by
        item.acknowledgement_note = note
        session.flush()
    return _inbox_out(item, town.slug, town.name)
