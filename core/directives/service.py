"""Directives downward (W1 督辦) and reports upward (R1, R3, P2), without Flask.

A county's directive is written once as county data, then once per target township in
that township's own scope. A task (``kind="task"``): its copy and an event obligation of
the core rule ``county.directive`` on its committee, due at the directive's deadline; a
completion report fulfils it through the ledger. A rule for a period (``kind="rule"``,
``zerenzhi.directives.rules``): its copy and one obligation per active unit of the named
kinds, due at the period's end; units' progress reports fulfil them. The obligations put
the directive in the township's calendar, summary, reminders (``obligations remind``)
and the county's roll-ups.

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

from sqlalchemy import Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from zerenzhi.db.base import utcnow
from zerenzhi.directives import rules
from zerenzhi.directives.models import Directive, DirectiveTarget, InboxItem
from zerenzhi.directives.rules import (
    DIRECTIVE_RULE,
    RULE_KEY,
    RULE_PLUGIN,
    TRIGGER,
)
from zerenzhi.domain import DomainError
from zerenzhi.events import emit
from zerenzhi.obligations.ledger import Evidence, sync
from zerenzhi.obligations.materialize import open_event_obligation
from zerenzhi.obligations.models import Fulfilment, Obligation
from zerenzhi.obligations.periods import Period
from zerenzhi.obligations.rules import RuleRegistry
from zerenzhi.orgunits.service import root_unit
from zerenzhi.tenancy.context import TenantRef, county_read_scope, require_tenant, tenant_scope
from zerenzhi.tenancy.models import Tenant

SOURCE = "directive_target"


def ensure_rule(registry: RuleRegistry) -> None:
    """Register ``county.directive`` in an app's rule registry (idempotent). Core's rule,
    not a plugin's: no plugin enables it and no township can switch it off (the rules
    routes list the enabled plugins' rules only)."""
    if registry.get(RULE_KEY) is None:
        with contextlib.suppress(ValueError):  # already there: nothing to do
            registry.add(DIRECTIVE_RULE, plugin=RULE_PLUGIN)


def target_state(target: DirectiveTarget, now: dt.datetime) -> str:
    """A task's open | completed | overdue (open past its deadline); a rule's status
    comes from its units (``rules.state`` with their progress)."""
    return rules.state(target, None, now)


# --- downward: directives ------------------------------------------------------------------

def _targets(session: Session, county: TenantRef, slugs: Iterable[str] | None) -> list[Tenant]:
    towns = list(session.scalars(select(Tenant).where(
        Tenant.county_id == county.id, Tenant.kind == "township",
        Tenant.archived_at.is_(None)).order_by(Tenant.slug)))
    if slugs is None:
        if not towns:
            raise DomainError("townships", "this county has no townships")
        return towns
    by_slug = {t.slug: t for t in towns}
    wanted = list(dict.fromkeys(slugs))
    unknown = [s for s in wanted if s not in by_slug]
    if unknown:
        raise DomainError("townships", "not townships of this county: " + ", ".join(unknown))
    return [by_slug[s] for s in wanted]


def townships(session: Session, county: TenantRef) -> list[Tenant]:
    """The county's live townships a directive can go to, by slug (a form's choices)."""
    return list(session.scalars(select(Tenant).where(
        Tenant.county_id == county.id, Tenant.kind == "township",
        Tenant.archived_at.is_(None)).order_by(Tenant.slug)))


def create_directive(session: Session, *, title: str, content: str,
                     deadline: dt.datetime | None = None, townships: list[str] | None = None,
                     issued_by: uuid.UUID | None = None, kind: str = "task",
                     period: Period | str | None = None, applies_to: list[str] | None = None,
                     min_count: int | None = None) -> Directive:
    """Assign a task (with its ``deadline``) or a rule for a ``period`` (``min_count``
    times at every unit of the kinds in ``applies_to``, due at the period's end) to all
    (``townships=None``) or some of the county's townships.

    Runs as the county; each township's copy and obligations are written in its scope.
    Raises DomainError on bad input; the caller rolls back what was written.
    """
    county = require_tenant()
    if county.kind != "county":
        raise DomainError("_schema", "only a county issues directives")
    now, terms = utcnow(), None
    if kind == "rule":
        if deadline is not None:
            raise DomainError("deadline", "a rule is due at its period's end; omit it")
        terms = rules.validate_terms(period, applies_to, min_count, now, county.timezone)
        deadline = terms.period.due_at(county.timezone).astimezone(dt.UTC)
    elif kind == "task":
        for name, value in (("period", period), ("applies_to", applies_to),
                            ("min_count", min_count)):
            if value is not None:
                raise DomainError(name, "only for kind rule")
        if deadline is None:
            raise DomainError("deadline", "a task needs a deadline")
        if deadline <= now:
            raise DomainError("deadline", "must be in the future")
    else:
        raise DomainError("kind", "task or rule")
    towns = _targets(session, county, townships)
    directive = Directive(title=title, content=content, deadline=deadline,
                          all_townships=townships is None, issued_by=issued_by,
                          **(rules.terms_columns(terms) if terms else {}))
    session.add(directive)
    session.flush()
    for town in towns:
        with tenant_scope(town.ref()):
            committee = root_unit(session)
            if committee is None:
                raise DomainError("townships", f"{town.slug} has no committee unit")
            if terms is not None:
                rules.open_rule(session, directive, terms, town.slug, committee.id, now)
                continue
            obligation = open_event_obligation(session, RULE_KEY, committee.id, TRIGGER,
                                               directive.id, now, due_at=deadline)
            session.add(DirectiveTarget(
                directive_id=directive.id, unit_id=committee.id,
                obligation_id=obligation.id if obligation is not None else None,
                title=title, content=content, deadline=deadline))
            session.flush()
    return directive


def _describe(directive: Directive, targets: list, done: dict,
              now: dt.datetime) -> dict[str, Any]:
    rows = []
    for target, slug, name in targets:
        mine = done.get((target.tenant_id, directive.id))
        status = rules.state(target, mine, now)
        row = {"township": {"slug": slug, "name": name}, "status": status,
               "completed_at": target.completed_at, "report": target.report,
               "chased_at": target.chased_at, "chase_count": target.chase_count}
        if directive.kind == "rule":  # counts only: the units' reports stay the township's
            mine = mine or rules.Progress()
            row.update(units_required=mine.units, units_fulfilled=mine.fulfilled,
                       units_waived=mine.waived)
        else:  # a task is owed by one unit, the committee
            row.update(units_required=1, units_fulfilled=int(status == "completed"),
                       units_waived=0)
        rows.append(row)
    rows.sort(key=lambda r: r["township"]["slug"])
    states = [r["status"] for r in rows]
    return {
        "id": directive.id, "title": directive.title, "content": directive.content,
        "deadline": directive.deadline, "all_townships": directive.all_townships,
        "created_at": directive.created_at, "kind": directive.kind,
        "period": directive.period, "period_start": directive.period_start,
        "period_end": directive.period_end, "applies_to": directive.applies_to,
        "min_count": directive.min_count, "cancelled_at": directive.cancelled_at,
        "archived_at": directive.archived_at,
        "counts": {"townships": len(rows), "completed": states.count("completed"),
                   "overdue": states.count("overdue"), "open": states.count("open"),
                   "cancelled": states.count("cancelled")},
        "townships": rows,
    }


def _with_targets(session: Session, county: TenantRef, directives: list[Directive],
                  now: dt.datetime) -> list[dict[str, Any]]:
    by_directive: dict[uuid.UUID, list] = {d.id: [] for d in directives}
    done: dict = {}
    if directives:
        with county_read_scope(county):
            rows = session.execute(
                select(DirectiveTarget, Tenant.slug, Tenant.name)
                .join(Tenant, Tenant.id == DirectiveTarget.tenant_id)
                .where(DirectiveTarget.directive_id.in_(list(by_directive)))).all()
            done = rules.progress(session, [d.id for d in directives if d.kind == "rule"])
        for target, slug, name in rows:
            by_directive[target.directive_id].append((target, slug, name))
    return [_describe(d, by_directive[d.id], done, now) for d in directives]


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


def _copies(session: Session, county: TenantRef, directive: Directive
            ) -> tuple[list[tuple[DirectiveTarget, Tenant]], dict]:
    """Every township's copy of the directive with its township, and a rule's progress,
    read through the county read scope (this county's townships only)."""
    with county_read_scope(county):
        rows = session.execute(
            select(DirectiveTarget, Tenant).join(Tenant, Tenant.id == DirectiveTarget.tenant_id)
            .where(DirectiveTarget.directive_id == directive.id,
                   Tenant.county_id == county.id).order_by(Tenant.slug)).all()
        done = rules.progress(session, [directive.id]) if directive.kind == "rule" else {}
    return [(target, town) for target, town in rows], done


def cancel_directive(session: Session, county: TenantRef, directive: Directive,
                     now: dt.datetime) -> Directive:
    """Withdraw a directive (撤銷): each township's unfinished copy is cancelled and what it
    still owes under it is archived (kept, never deleted), so no calendar or roll-up counts
    it any more; a copy already completed stays completed. Cancelling twice is a no-op."""
    if directive.cancelled_at is not None:
        return directive
    copies, done = _copies(session, county, directive)
    for target, town in copies:
        if rules.state(target, done.get((town.id, directive.id)), now) == "completed":
            continue
        with tenant_scope(town.ref()):
            target.status = "cancelled"
            owed = session.scalars(select(Obligation).where(
                rules._of([directive.id]), Obligation.waived_at.is_(None),
                Obligation.counted < Obligation.min_count))
            for obligation in owed:
                obligation.archived_at = now
            session.flush()
    directive.cancelled_at = now
    session.flush()
    return directive


def archive_directive(session: Session, county: TenantRef, directive: Directive,
                      now: dt.datetime) -> Directive:
    """File a finished directive away (kept, never deleted): it leaves the county's list.
    Only once no township still owes it (every copy completed or cancelled): one that is
    still open is cancelled first, so archiving never hides work still being chased."""
    if directive.archived_at is not None:
        return directive
    copies, done = _copies(session, county, directive)
    pending = [town.slug for target, town in copies if rules.state(
        target, done.get((town.id, directive.id)), now) in ("open", "overdue")]
    if pending:
        raise DomainError("_schema", "still open in " + ", ".join(pending)
                          + "; cancel the directive first", status=409)
    directive.archived_at = now
    session.flush()
    return directive


def chase(session: Session, county: TenantRef, directive: Directive, township: str,
          now: dt.datetime, by: uuid.UUID | None = None) -> dict[str, Any] | None:
    """Chase an overdue township (催辦): the reminder is recorded on its copy (in its scope,
    audited there) and sent to its office as the event ``directive.chased`` through the
    notifiers it enabled (webhook, e-mail), as obligation reminders are. None when the
    township has no copy of it (not a target, another county's, unknown)."""
    if directive.cancelled_at is not None:
        raise DomainError("_schema", "the directive was cancelled", status=409)
    copies, done = _copies(session, county, directive)
    found = next(((t, town) for t, town in copies if town.slug == township), None)
    if found is None:
        return None
    target, town = found
    if rules.state(target, done.get((town.id, directive.id)), now) != "overdue":
        raise DomainError("_schema", "only an overdue township is chased", status=409)
    with tenant_scope(town.ref()):
        target.chased_at, target.chase_count = now, (target.chase_count or 0) + 1
        session.flush()
        emit(session, "directive.chased", directive_id=str(directive.id),
             title=directive.title, kind=directive.kind,
             deadline=target.deadline.isoformat(),
             days_overdue=max(0, (now - target.deadline).days),
             responsible_role="office", unit_id=str(target.unit_id),
             chase_count=target.chase_count, chased_by=str(by) if by else None)
    return _describe(directive, [(target, town.slug, town.name)], done, now)["townships"][0]


def township_directive(session: Session, directive_id: uuid.UUID) -> DirectiveTarget | None:
    """This township's copy of a directive (None for another township's or unknown)."""
    return session.scalar(select(DirectiveTarget).where(
        DirectiveTarget.directive_id == directive_id))


def township_directives(session: Session, now: dt.datetime, *, kind: str | None = None,
                        status: str | None = None) -> Select:
    """This township's copies by deadline, of one ``kind`` and in one ``status`` if asked:
    a rule is completed when its units' obligations are (``rules.completed_rules``), a
    task when its completion report is in; open or overdue by the deadline otherwise."""
    statement = select(DirectiveTarget).order_by(DirectiveTarget.deadline, DirectiveTarget.id)
    if kind is not None:
        statement = statement.where(DirectiveTarget.kind == kind)
    if status is None:
        return statement
    cancelled = DirectiveTarget.status == "cancelled"
    if status == "cancelled":
        return statement.where(cancelled)
    statement = statement.where(not_(cancelled))
    done = or_(and_(DirectiveTarget.kind == "task", DirectiveTarget.status == "completed"),
               and_(DirectiveTarget.kind == "rule",
                    DirectiveTarget.directive_id.in_(rules.completed_rules(session))))
    if status == "completed":
        return statement.where(done)
    late = DirectiveTarget.deadline <= now
    return statement.where(not_(done), late if status == "overdue" else not_(late))


def complete(session: Session, directive_id: uuid.UUID, report: str,
             by: uuid.UUID | None = None) -> DirectiveTarget | None:
    """Record the completion report; the directive's obligation turns fulfilled."""
    target = township_directive(session, directive_id)
    if target is None:
        return None
    if target.kind != "task":
        raise DomainError("_schema", "a rule directive is fulfilled by progress reports "
                                        "per unit, not by a completion report")
    if target.status == "completed":
        raise DomainError("_schema", "already completed", status=409)
    if target.status == "cancelled":
        raise DomainError("_schema", "the county cancelled this directive", status=409)
    target.status, target.report = "completed", report
    target.completed_at, target.completed_by = utcnow(), by
    session.flush()
    if target.obligation_id is not None:
        sync(session, SOURCE, target.id, [Evidence(
            RULE_KEY, target.unit_id, target.completed_at, obligation_id=target.obligation_id)])
    return target


# --- upward: the county inbox --------------------------------------------------------------

def send_upward(session: Session, kind: str, title: str, body: str, source_type: str,
                source_id: uuid.UUID | str) -> InboxItem:
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


def _inbox_out(item: InboxItem, slug: str, name: str,
               due_at: dt.datetime | None = None) -> dict[str, Any]:
    return {"id": item.id, "township": {"slug": slug, "name": name}, "kind": item.kind,
            "title": item.title, "body": item.body, "source_type": item.source_type,
            "source_id": item.source_id, "sent_at": item.sent_at, "due_at": due_at,
            "late": due_at is not None and item.sent_at > due_at,
            "acknowledged_at": item.acknowledged_at,
            "acknowledgement_note": item.acknowledgement_note}


def _due_at():
    """The deadline of the obligation a report sent upward fulfils (R1's half-year, R3's
    report on a situation), from the ledger entry its source record wrote: the same source
    type and id, linked to its obligation or falling in that rule's period for its unit.
    None when the report fulfils no obligation (nothing to be late for)."""
    linked = or_(Fulfilment.obligation_id == Obligation.id, and_(
        Fulfilment.obligation_id.is_(None), Obligation.trigger_id.is_(None),
        Fulfilment.rule_key == Obligation.rule_key, Fulfilment.unit_id == Obligation.unit_id,
        Obligation.period_start <= Fulfilment.occurred_on,
        Obligation.period_end >= Fulfilment.occurred_on))
    return (select(func.min(Obligation.due_at))
            .join(Fulfilment, and_(Fulfilment.tenant_id == Obligation.tenant_id, linked))
            .where(Fulfilment.tenant_id == InboxItem.tenant_id,
                   Fulfilment.source_type == InboxItem.source_type,
                   Fulfilment.source_id == InboxItem.source_id,
                   Fulfilment.archived_at.is_(None), Obligation.archived_at.is_(None))
            .correlate(InboxItem).scalar_subquery())


def county_inbox(session: Session, county: TenantRef, *, acknowledged: bool | None,
                 limit: int, offset: int = 0,
                 kind: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """What the county's townships sent upward, newest first, each with the deadline of
    what it fulfils and whether it went up late."""
    statement = select(InboxItem, Tenant.slug, Tenant.name, _due_at()).join(
        Tenant, Tenant.id == InboxItem.tenant_id)
    if kind is not None:
        statement = statement.where(InboxItem.kind == kind)
    if acknowledged is not None:
        statement = statement.where(InboxItem.acknowledged_at.is_not(None) if acknowledged
                                    else InboxItem.acknowledged_at.is_(None))
    with county_read_scope(county):
        total = session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = session.execute(statement.order_by(InboxItem.sent_at.desc(), InboxItem.id.desc())
                               .limit(limit).offset(offset)).all()
    return [_inbox_out(*row) for row in rows], total or 0


def county_inbox_item(session: Session, county: TenantRef,
                      item_id: uuid.UUID) -> dict[str, Any] | None:
    """One report a township of the county sent upward (None: unknown or foreign)."""
    with county_read_scope(county):
        row = session.execute(
            select(InboxItem, Tenant.slug, Tenant.name, _due_at())
            .join(Tenant, Tenant.id == InboxItem.tenant_id)
            .where(InboxItem.id == item_id, Tenant.county_id == county.id)).first()
    return _inbox_out(*row) if row is not None else None


def upward_receipt(session: Session, source_type: str,
                   source_id: uuid.UUID | str) -> dict[str, Any] | None:
    """In a township's scope: whether the county received what this record sent upward —
    ``{"sent_at", "acknowledged_at", "acknowledgement_note"}``, None if it never went up.
    A module's page shows it beside its report (R1, R3, P2) without reading core's tables."""
    item = session.scalar(select(InboxItem).where(
        InboxItem.source_type == source_type, InboxItem.source_id == str(source_id)))
    if item is None:
        return None
    return {"sent_at": item.sent_at, "acknowledged_at": item.acknowledged_at,
            "acknowledgement_note": item.acknowledgement_note}


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
        raise DomainError("_schema", "already acknowledged", status=409)
    with tenant_scope(town.ref()):
        item.acknowledged_at, item.acknowledged_by = utcnow(), by
        item.acknowledgement_note = note
        session.flush()
    return county_inbox_item(session, county, item_id)
