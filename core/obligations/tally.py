"""Each obligation's stored ``counted``: how many live ledger entries count for it.

County roll-ups read this column instead of joining the ledger across thousands of
townships (bench/README.md, decision 0009). It is kept exact by the session, not by the
callers: after every flush that adds, moves or archives a ledger entry, or creates or
re-dates an obligation, the (township, rule, unit) pairs it touched are recounted from the
ledger with the same rule ``status_query`` applies (an entry counts for a periodic
obligation when its local date falls in the period, for an event obligation when it is
linked to it). A plugin editing ``period_start`` directly is therefore covered too.

``counted`` is derived data like the obligation row itself (which is not audited): the audited
records are the ledger's sources. The recount does not touch ``updated_at``. Its statements
go to the session's connection keyed by the flushed rows' own ``tenant_id`` (the flush that
produced them was scoped and stamped; on PostgreSQL RLS still applies to them).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import and_, bindparam, case, event, func, inspect, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from zerenzhi.db.base import Base, new_id
from zerenzhi.obligations.models import Fulfilment, Obligation, ObligationCount
from zerenzhi.tenancy.models import Tenant

Key = tuple[uuid.UUID, str, uuid.UUID]  # (tenant_id, rule_key, unit_id)
_PENDING = "zz_tally_keys"
# what an obligation's count depends on; anything else (waiver, due_at alone) does not move it
_OBLIGATION_INPUTS = ("rule_key", "unit_id", "period_start", "period_end", "trigger_id",
                      "tenant_id")
_ENTRY_INPUTS = ("rule_key", "unit_id", "occurred_on", "obligation_id", "archived_at",
                 "tenant_id")
_GROUPS = "zz_tally_groups"  # (tenant_id, rule_key) whose ObligationCount rows to redo
# what places an obligation in ObligationCount's groups, besides its count
_GROUP_INPUTS = ("rule_key", "period_start", "period_end", "due_at", "min_count", "waived_at",
                 "archived_at", "tenant_id")


def _keys_of(obj, inputs: tuple[str, ...], new: bool) -> set[Key]:
    """The pair the row belongs to now and, when an input changed, the one it left."""
    keys = {(obj.tenant_id, obj.rule_key, obj.unit_id)}
    if new:
        return keys
    state = inspect(obj)
    if not any(state.attrs[name].history.has_changes() for name in inputs):
        return set()
    old = {name: (state.attrs[name].history.deleted or [getattr(obj, name)])[0]
           for name in ("tenant_id", "rule_key", "unit_id")}
    keys.add((old["tenant_id"], old["rule_key"], old["unit_id"]))
    return keys


def _collect(session: Session, _context) -> None:
    keys: set[Key] = session.info.setdefault(_PENDING, set())
    groups: set[tuple] = session.info.setdefault(_GROUPS, set())
    for objects, new in ((session.new, True), (session.dirty, False)):
        for obj in objects:
            if isinstance(obj, Fulfilment):
                keys |= _keys_of(obj, _ENTRY_INPUTS, new)
            elif isinstance(obj, Obligation):
                keys |= _keys_of(obj, _OBLIGATION_INPUTS, new)
                groups |= {(tenant, rule) for tenant, rule, _unit
                           in _keys_of(obj, _GROUP_INPUTS, new)}


def _recount(session: Session, _context) -> None:
    keys = session.info.pop(_PENDING, None)
    if keys:
        recount(session, keys)
    groups = session.info.pop(_GROUPS, None)
    if groups:
        retally(session, groups)


def counts(obligations: Iterable, entries: Iterable) -> dict[uuid.UUID, int]:
    """``counted`` per obligation id, from rows of (id, rule_key, unit_id, period_start,
    period_end, trigger_id) and live entries (rule_key, unit_id, occurred_on,
    obligation_id); the same rule as ``status_query``'s ledger join."""
    by_pair: dict[tuple, list] = defaultdict(list)
    linked: dict[uuid.UUID, int] = defaultdict(int)
    for rule_key, unit_id, occurred_on, obligation_id in entries:
        by_pair[(rule_key, unit_id)].append((occurred_on, obligation_id))
        if obligation_id is not None:
            linked[obligation_id] += 1
    result = {}
    for oid, rule_key, unit_id, start, end, trigger_id in obligations:
        n = linked.get(oid, 0)
        if trigger_id is None:
            n = sum(1 for on, linked_to in by_pair.get((rule_key, unit_id), ())
                    if start <= on <= end or linked_to == oid)
        result[oid] = n
    return result


def recount(session: Session, keys: Iterable[Key]) -> int:
    """Recount every obligation of these (township, rule, unit) pairs; returns how many
    changed. Issued on the session's connection, inside its transaction."""
    by_tenant: dict[uuid.UUID, set[tuple[str, uuid.UUID]]] = defaultdict(set)
    for tenant_id, rule_key, unit_id in keys:
        if tenant_id is not None:
            by_tenant[tenant_id].add((rule_key, unit_id))
    connection = session.connection()
    obligation, entry = Obligation.__table__, Fulfilment.__table__
    changed = []
    for tenant_id, pairs in by_tenant.items():
        rows = connection.execute(
            select(obligation.c.id, obligation.c.rule_key, obligation.c.unit_id,
                   obligation.c.period_start, obligation.c.period_end, obligation.c.trigger_id,
                   obligation.c.counted)
            .where(obligation.c.tenant_id == tenant_id,
                   tuple_(obligation.c.rule_key, obligation.c.unit_id).in_(pairs))).all()
        if not rows:
            continue
        live = connection.execute(
            select(entry.c.rule_key, entry.c.unit_id, entry.c.occurred_on,
                   entry.c.obligation_id)
            .where(entry.c.tenant_id == tenant_id, entry.c.archived_at.is_(None),
                   tuple_(entry.c.rule_key, entry.c.unit_id).in_(pairs))).all()
        fresh = counts((row[:6] for row in rows), live)
        changed += [{"t": tenant_id, "i": row.id, "n": fresh[row.id], "r": row.rule_key}
                    for row in rows if fresh[row.id] != row.counted]
    if changed:
        connection.execute(
            update(obligation)
            .where(obligation.c.tenant_id == bindparam("t"), obligation.c.id == bindparam("i"))
            .values(counted=bindparam("n"), updated_at=obligation.c.updated_at),
            changed)
        for item in changed:  # objects already loaded see the new count without a reload
            loaded = session.identity_map.get(
                session.identity_key(Obligation, (item["t"], item["i"])))
            if loaded is not None:
                set_committed_value(loaded, "counted", item["n"])
        retally(session, {(item["t"], item["r"]) for item in changed})  # after the update
    return len(changed)


def _outcome(obligation):
    """``status_case``'s outcomes that do not depend on the clock (overdue is "owed" whose
    ``due_at`` has passed, decided by the reader)."""
    return case((obligation.c.waived_at.is_not(None), "waived"),
                (obligation.c.counted >= obligation.c.min_count, "met"), else_="owed")


def retally(session: Session, groups: Iterable[tuple[uuid.UUID, str]]) -> int:
    """Redo the ``ObligationCount`` rows of these (township, rule) pairs from their live
    obligations; returns how many rows changed. A group that empties keeps its row at 0 (the
    app role deletes nothing). Inserts upsert on the group's key, so two transactions that
    open the same group both succeed; as with ``counted``, the last to commit writes its
    count, and ``zerenzhi obligations recount`` repairs what a race left behind."""
    by_tenant: dict[uuid.UUID, set[str]] = defaultdict(set)
    for tenant_id, rule_key in groups:
        if tenant_id is not None:
            by_tenant[tenant_id].add(rule_key)
    if not by_tenant:
        return 0
    connection = session.connection()
    obligation, counts = Obligation.__table__, ObligationCount.__table__
    key_columns = ("rule_key", "period_start", "period_end", "due_at")
    changed = 0
    for tenant_id, rules in by_tenant.items():
        outcome = _outcome(obligation)
        fresh = {(*row[:4], row[4]): row[5] for row in connection.execute(
            select(*(obligation.c[name] for name in key_columns), outcome, func.count())
            .where(obligation.c.tenant_id == tenant_id, obligation.c.archived_at.is_(None),
                   obligation.c.rule_key.in_(rules))
            .group_by(*(obligation.c[name] for name in key_columns), outcome))}
        stored = {(*row[:4], row[4]): (row[5], row[6]) for row in connection.execute(
            select(*(counts.c[name] for name in key_columns), counts.c.outcome, counts.c.id,
                   counts.c.n)
            .where(counts.c.tenant_id == tenant_id, counts.c.rule_key.in_(rules)))}
        moved = [{"t": tenant_id, "i": row_id, "n": fresh.get(key, 0)}
                 for key, (row_id, n) in stored.items() if fresh.get(key, 0) != n]
        added = [key for key in fresh if key not in stored]
        if added:
            county_id = connection.execute(
                select(Tenant.county_id).where(Tenant.id == tenant_id)).scalar()
            insert = (pg_insert if connection.dialect.name == "postgresql"
                      else sqlite_insert)(counts)
            connection.execute(
                insert.on_conflict_do_update(index_elements=[
                    "tenant_id", *key_columns, "outcome"], set_={"n": insert.excluded.n}),
                [{"tenant_id": tenant_id, "id": new_id(), "county_id": county_id,
                  **dict(zip((*key_columns, "outcome"), key, strict=True)), "n": fresh[key]}
                 for key in added])
        if moved:
            connection.execute(
                update(counts).where(counts.c.tenant_id == bindparam("t"),
                                     counts.c.id == bindparam("i"))
                .values(n=bindparam("n")), moved)
        changed += len(added) + len(moved)
    return changed


def orphans(session: Session, tenant_id: uuid.UUID) -> list[str]:
    """Ledger entries of this township that point nowhere, one line per kind; empty when
    none do.

    A downgrade (``zerenzhi db downgrade --destroy-data``) can drop a plugin's tables or
    core's obligation rows under the ledger; the counts above would still agree with the
    ledger, so this is checked apart. A source type names its table (``study.session`` →
    ``study_session``) or at least its plugin (``platforms.review_coverage`` →
    ``platforms_…``); its source records are gone when that table is missing, or when a
    plugin with a migration lineage has no table left.
    """
    connection = session.connection()
    entry, obligation = Fulfilment.__table__, Obligation.__table__
    present = set(inspect(connection).get_table_names())
    found = [f"{n} ledger entry(ies) of {source}: its source table is gone"
             for source, n in connection.execute(
                 select(entry.c.source_type, func.count()).where(entry.c.tenant_id == tenant_id)
                 .group_by(entry.c.source_type).order_by(entry.c.source_type))
             if not _source_present(source, present)]
    dangling = connection.execute(
        select(func.count()).select_from(entry.outerjoin(obligation, and_(
            obligation.c.tenant_id == entry.c.tenant_id, obligation.c.id == entry.c.obligation_id)))
        .where(entry.c.tenant_id == tenant_id, entry.c.obligation_id.is_not(None),
               obligation.c.id.is_(None))).scalar_one()
    if dangling:
        found.append(f"{dangling} ledger entry(ies) linked to an obligation that is gone")
    return found


def _source_present(source_type: str, tables: set[str]) -> bool:
    name = source_type.replace(".", "_")
    if name in tables:
        return True
    if name in Base.metadata.tables:  # a known table, missing
        return False
    plugin = re.split(r"[._]", source_type, maxsplit=1)[0]
    if any(table.startswith(f"{plugin}_") for table in tables):
        return True
    # no table of the plugin left: gone if it ever had a lineage (a plugin with no tables of
    # its own has no version table and loses nothing)
    return f"alembic_version_{plugin}" not in tables


def install_tally(session_class) -> None:
    """Keep ``counted`` exact on ``session_class`` (installed by ``create_app``)."""
    event.listen(session_class, "after_flush", _collect)
    event.listen(session_class, "after_flush_postexec", _recount)
