"""Reading obligations: the calendar, the dashboard summary, waivers."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from zerenzhi.audit.recorder import record
from zerenzhi.auth.roles import ROLES
from zerenzhi.db.base import utcnow
from zerenzhi.domain import DomainError
from zerenzhi.labels import current_language, render
from zerenzhi.obligations.facts import settle
from zerenzhi.obligations.materialize import check_owed
from zerenzhi.obligations.models import Obligation
from zerenzhi.obligations.periods import Period, local_today, period_of
from zerenzhi.obligations.responsible import Posts, held
from zerenzhi.obligations.status import Window, filtered, status_query
from zerenzhi.obligations.versions import registry
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.tenancy.context import require_tenant

_UNIT_COLUMNS = select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.kind,
                      OrgUnit.parent_id)


class UnitRow(NamedTuple):
    id: uuid.UUID
    code: str
    name: str
    kind: str
    parent_id: uuid.UUID | None


# the columns of an obligation's unit, joined to the status rows (``summary``)
_UNIT_OF_ROW = (OrgUnit.code, OrgUnit.name, OrgUnit.kind, OrgUnit.parent_id)


class UnitTree:
    """The units ``describe`` reads: those the status rows name, read with them (``summary``
    joins them), and the rest of the tree only when a portfolio walk climbs past those —
    a statement fewer per summary (each small statement cost ~0.4 ms CPU in-process,
    bench/throughput.py --routes summary)."""

    def __init__(self, session: Session, known: dict[uuid.UUID, Any] | None = None) -> None:
        self._session = session
        self._units = known if known is not None else {}
        self._complete = False

    def get(self, unit_id: uuid.UUID) -> Any:
        unit = self._units.get(unit_id)
        if unit is None and not self._complete:
            self._units, self._complete = _units(self._session), True
            unit = self._units.get(unit_id)
        return unit


def _units(session: Session) -> dict[uuid.UUID, Any]:
    """The township's units (archived too) as rows of the columns ``describe`` reads: the
    whole tree loaded as ORM objects was ~1.7 of the summary's 15.6 ms per request under
    cProfile (bench/throughput.py --routes summary --profile); scoped alike (the tenant
    criteria apply to column selects of a mapped class, and RLS beneath)."""
    return {unit.id: unit for unit in session.execute(_UNIT_COLUMNS)}


def due_on(due_at: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The local day an obligation is due, as people read it: due at a midnight (the end of
    a period's last day) is due on the day before — 2026H1's review on 30 June, not 1 July."""
    return (due_at.astimezone(zone) - dt.timedelta(microseconds=1)).date()


def _people(holders) -> list[dict[str, Any]]:
    return [{"id": h.member_id, "name": h.name} for h in holders]


PORTFOLIO_POST = "member"  # 班子成員 posted to the units their division of work covers (M3)


def portfolio(posts: Posts, units: UnitTree | dict[uuid.UUID, Any],
              unit_id: uuid.UUID) -> list[dict[str, Any]]:
    """一崗雙責 (M3): the committee members whose division of work (分工) covers the unit —
    holders of a ``member`` post at the unit or, failing that, at its nearest ancestor that
    has one. The division of work is the township's posts (decision 0024), not a table."""
    seen: set[uuid.UUID] = set()
    while unit_id is not None and unit_id not in seen:
        holders = posts.holders(PORTFOLIO_POST, unit_id)
        if holders:
            return _people(holders)
        seen.add(unit_id)
        unit = units.get(unit_id)
        unit_id = unit.parent_id if unit is not None else None
    return []


def describe(rows, session: Session, now: dt.datetime,
             units: UnitTree | None = None) -> list[dict[str, Any]]:
    """Turn status rows into API dicts with rule titles, units and who answers for each:
    the post and its holders now and at the due date; for committee-level work also the
    first responsible (the secretary, M1) and the directly responsible leader (M2); for
    every unit the leader whose portfolio covers it (M3).

    What repeats from item to item — a post's holders now, a unit's portfolio leaders, a
    rule's title, a role's label, the request's language — is worked out once per call
    (a half-year's summary is ~80 items over a dozen rules and posts; per item it was a
    third of ``describe``'s time, bench/throughput.py --routes summary --profile).
    ``units``: the units already read with the rows (``UnitTree``); by default all are read.
    Rows may carry more columns after the status query's six (``summary``'s units)."""
    posts, rules = Posts(session), registry()
    units = units or UnitTree(session)
    zone = ZoneInfo(require_tenant().timezone)
    language = current_language()
    first, direct = _people(posts.holders("secretary", None)), _people(
        posts.holders("deputy", None))
    now_holders: dict[tuple[str, uuid.UUID], list[dict[str, Any]]] = {}
    leaders: dict[uuid.UUID, list[dict[str, Any]]] = {}
    titles: dict[str, str] = {}
    role_labels: dict[str, str] = {}
    result = []
    for row in rows:
        obligation, done, fulfilled_at, evidence_type, evidence_id, status = row[:6]
        rule_key, unit_id, role = obligation.rule_key, obligation.unit_id, \
            obligation.responsible_role
        title = titles.get(rule_key)
        if title is None:
            rule = rules.get(rule_key)
            title = titles[rule_key] = render(rule.title, language) if rule else rule_key
        role_label = role_labels.get(role)
        if role_label is None:
            role_label = role_labels[role] = render(ROLES[role].label, language)
        holders = now_holders.get((role, unit_id))
        if holders is None:
            holders = now_holders[(role, unit_id)] = _people(posts.holders(role, unit_id))
        leader = leaders.get(unit_id)
        if leader is None:
            leader = leaders[unit_id] = portfolio(posts, units, unit_id)
        unit = units.get(unit_id)
        due_at = obligation.due_at
        at_due = posts.holders(role, unit_id, due_at) if due_at <= now else None
        committee_work = unit is not None and unit.kind == "committee"
        result.append({
            "id": obligation.id, "rule": rule_key, "title": title,
            "source": obligation.source_clause, "rule_version": obligation.rule_version,
            "unit_id": unit_id, "unit_code": unit.code if unit else None,
            "unit_name": unit.name if unit else None, "period": obligation.slot
            if obligation.trigger_id is None else None,
            "period_start": obligation.period_start, "period_end": obligation.period_end,
            "due_at": due_at, "due_on": due_on(due_at, zone),
            "required": obligation.min_count, "done": done,
            "status": status, "fulfilled_at": fulfilled_at,
            "evidence": {"type": evidence_type, "id": evidence_id} if fulfilled_at else None,
            "responsible_role": role,
            "responsible_role_label": role_label,
            "responsible": list(holders),
            "responsible_at_due": None if at_due is None else _people(at_due),
            "first_responsible": first if committee_work else None,
            "directly_responsible": direct if committee_work else None,
            "portfolio_leader": list(leader),
            "trigger": None if obligation.trigger_id is None else
            {"type": obligation.trigger_type, "id": obligation.trigger_id,
             "at": obligation.triggered_at},
            "waived": None if obligation.waived_at is None else
            {"at": obligation.waived_at, "by": obligation.waived_by,
             "reason": obligation.waive_reason},
        })
    return result


def calendar_query(session: Session, *, start: dt.date | None, end: dt.date,
                   now: dt.datetime,
                   due_soon_days: int, unit_id=None, rule_key=None, statuses=None,
                   role=None, responsible: uuid.UUID | None = None):
    """Obligations due on the local days ``start`` to ``end`` (``due_on``; no ``start``:
    every one due by ``end``). Reads only: obligations exist because the calendar says so
    (``materialise``), never because someone looked."""
    tenant = require_tenant()
    settle(session)  # facts this transaction changed (none in a read) show in what it reads
    begin = None if start is None else Period(start, start, "day", "").bounds(tenant.timezone)[0]
    _, after = Period(end, end, "day", "").bounds(tenant.timezone)
    query = status_query(Window(due_after=begin, due_by=after), now, due_soon_days)
    if responsible is not None:
        query = query.where(_posts_of(session, responsible))
    query = filtered(query, statuses=statuses, unit_id=unit_id, rule_key=rule_key, role=role)
    return query.order_by("due_at", "rule_key")


def _posts_of(session: Session, member_id: uuid.UUID):
    """Obligations of the posts the member holds now (unit-tied roles at their unit),
    whenever they took them: an ended post is no longer theirs, a new holder inherits
    what the post still owes (``Posts.holders``)."""
    conditions = []
    for role, unit_id, started, ended, holder, _name in Posts(session).rows:
        if holder != member_id or not held(started, ended, None):
            continue
        if role in ROLES and not ROLES[role].needs_unit:
            conditions.append(Obligation.responsible_role == role)
        else:
            conditions.append(and_(Obligation.responsible_role == role,
                                   Obligation.unit_id == unit_id))
    return or_(*conditions) if conditions else Obligation.id.is_(None)


def summary(session: Session, period: Period, now: dt.datetime | None = None,
            due_soon_days: int = 14) -> dict[str, Any]:
    """The Monday dashboard: per rule and unit, required/done/status; overall rate; overdue."""
    now = now or utcnow()
    check_owed(period)
    settle(session)  # facts this transaction changed (none in a read) show in what it reads
    rows = session.execute(
        status_query(Window(start=period.start, end=period.end), now, due_soon_days)
        .add_columns(*_UNIT_OF_ROW)
        .outerjoin(OrgUnit, OrgUnit.id == Obligation.unit_id)  # scoped as any join
        .order_by(Obligation.rule_key, Obligation.unit_id, Obligation.period_start)
    ).all()
    known = {row[0].unit_id: UnitRow(row[0].unit_id, *row[6:]) for row in rows
             if row[8] is not None}
    items = describe(rows, session, now, UnitTree(session, known))
    counted = [i for i in items if i["status"] != "waived"]
    fulfilled = sum(1 for i in counted if i["status"] == "fulfilled")
    for item in items:
        item["compliance_rate"] = 1.0 if not item["required"] else round(
            min(item["done"], item["required"]) / item["required"], 4)
    by_rule: dict[str, dict[str, Any]] = {}
    for item in counted:
        entry = by_rule.setdefault(item["rule"], {
            "rule": item["rule"], "title": item["title"], "source": item["source"],
            "obligations": 0, "fulfilled": 0, "overdue": 0})
        entry["obligations"] += 1
        entry["fulfilled"] += item["status"] == "fulfilled"
        entry["overdue"] += item["status"] == "overdue"
    for entry in by_rule.values():
        entry["compliance_rate"] = round(entry["fulfilled"] / entry["obligations"], 4)
    return {
        "period": period.label, "period_start": period.start, "period_end": period.end,
        "as_of": now, "obligations": len(items), "fulfilled": fulfilled,
        "compliance_rate": round(fulfilled / len(counted), 4) if counted else 1.0,
        "rules": list(by_rule.values()), "items": items,
        "overdue": [i for i in items if i["status"] == "overdue"],
    }


def waive(session: Session, obligation_id: uuid.UUID, reason: str,
          by: uuid.UUID) -> Obligation | None:
    obligation = session.scalar(select(Obligation).where(Obligation.id == obligation_id,
                                                         Obligation.archived_at.is_(None)))
    if obligation is None:
        return None
    if obligation.waived_at is not None:
        raise DomainError("_schema", "already waived", 409)
    obligation.waived_at, obligation.waived_by, obligation.waive_reason = utcnow(), by, reason
    session.flush()
    record(session, "obligation.waive", "obligation", obligation.id,
           after={"reason": reason, "rule": obligation.rule_key, "slot": obligation.slot})
    return obligation


def current_period(cadence: str = "half_year") -> Period:
    return period_of(cadence, local_today(require_tenant().timezone))


def one(session: Session, obligation_id: uuid.UUID, now: dt.datetime) -> dict[str, Any] | None:
    rows = session.execute(
        status_query(Window(), now).where(Obligation.id == obligation_id)).all()
    return describe(rows, session, now)[0] if rows else None
