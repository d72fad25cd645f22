"""Running a plugin's ``demo_data`` hook where one can see what it wrote."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, func, select

from zerenzhi.testing.owners import Owner, owner_of
from zerenzhi.testing.world import World, build_world

CORE_BOOKKEEPING = frozenset({"obligation", "obligation_count", "fulfilment", "inbox_item",
                              "audit_entry"})
"""Core tables a plugin's demo may write besides its own, all through the face: the
obligations, their county counts and the ledger (``sync_evidence``, the event-obligation
handles), the county's
inbox (``send_upward``), and the audit trail core keeps of every write."""

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class DemoRun:
    """What ``run_demo_data`` did: the township it filled and the rows it added per table."""

    world: World
    written: dict[str, int] = field(default_factory=dict)


def implements(app, owner: Owner, hook: str) -> bool:
    """Whether the plugin has an implementation of ``hook`` (pluggy's registry)."""
    if owner.is_core:
        return False
    caller = getattr(app.extensions["zerenzhi"].plugins.pm.hook, hook)
    return any(impl.plugin is owner.installed.plugin for impl in caller.get_hookimpls())


def run_demo_data(plugin: Any, app, *, check: Callable[[World], None] | None = None
                  ) -> DemoRun:
    """Prove that the plugin's ``demo_data`` hook fills a fresh township safely.

    On a fresh township with the plugin (and those it requires) enabled, the hook runs as
    ``zerenzhi tenants apply`` runs it for ``demo = true``, and must: raise nothing; write
    rows into the plugin's own tables; write no other table than those and core's
    ``CORE_BOOKKEEPING`` (obligations, ledger, upward inbox, audit trail); leave every
    obligation's stored count equal to the ledger's live one (what ``zerenzhi obligations
    recount --check`` reports); and, run a second time, add nothing (it runs on every
    apply). ``check(world)`` then runs the plugin's own sanity assertions. Skips a plugin
    with no ``demo_data`` hook.
    """
    import pytest

    owner = owner_of(plugin, app)
    if not implements(app, owner, "demo_data"):
        pytest.skip(f"{owner.name} has no demo_data hook")
    world = build_world(app, "demo")
    for name in owner.chain(app):
        world.enable(name)
    problems = []
    before = own_rows(owner, world)
    with writes_to(app) as written:
        fill_demo(owner, world)
    added = {name: count for name, count in (own_rows(owner, world) - before).items() if count}
    if not added:
        problems.append(f"{owner.name}'s demo wrote no row into its own tables "
                        f"({', '.join(t.name for t in owner.model_tables())})")
    strays = sorted(name for name in written
                    if not owner.owns_table(name) and name not in CORE_BOOKKEEPING)
    if strays:
        problems.append(f"{owner.name}'s demo wrote tables it does not own: {strays}")
    drift = stored_count_drift(world)
    if drift:
        problems.append(f"{drift} obligation(s) whose stored count differs from the ledger")
    again = own_rows(owner, world)
    fill_demo(owner, world)
    repeated = {name: count for name, count in (own_rows(owner, world) - again).items()
                if count}
    if repeated:
        problems.append(f"{owner.name}'s demo run a second time added {repeated}")
    assert not problems, "\n".join(problems)
    if check is not None:
        check(world)
    return DemoRun(world, added)


def fill_demo(owner: Owner, world: World) -> None:
    """Run the plugin's ``demo_data`` in the township, with its effective settings, and commit."""
    from zerenzhi.plugin_host.service import call_one, state
    from zerenzhi.tenancy.context import current_tenant

    with world.scope() as sess:
        call_one(owner.name, "demo_data", session=sess, tenant=current_tenant(),
                 settings=state(sess, owner.name).settings)
        sess.commit()


def own_rows(owner: Owner, world: World) -> Counter:
    """Rows of the township in each of the owner's tables."""
    counts: Counter = Counter()
    with world.scope() as sess:
        for rows in owner.model_tables():
            statement = select(func.count()).select_from(rows)
            if "tenant_id" in rows.c:
                statement = statement.where(rows.c.tenant_id == world.tenant_id)
            counts[rows.name] = sess.execute(statement).scalar_one()
        sess.rollback()
    return counts


def stored_count_drift(world: World) -> int:
    """How many of the township's obligations store a count the ledger disagrees with
    (``zerenzhi obligations recount --check``: recounted, then rolled back)."""
    from zerenzhi.obligations.models import Obligation
    from zerenzhi.obligations.tally import recount

    with world.scope() as sess:
        pairs = sess.execute(select(Obligation.rule_key, Obligation.unit_id).distinct()).all()
        changed = recount(sess, [(world.tenant_id, rule, unit) for rule, unit in pairs])
        sess.rollback()
    return changed


@contextmanager
def writes_to(app) -> Iterator[set[str]]:
    """The tables statements on the app's engine insert into, update or delete from."""
    engine = app.extensions["zerenzhi"].db.engine
    written: set[str] = set()

    def note(_conn, _cursor, statement: str, *_args) -> None:
        match = _WRITE.match(statement)
        if match:
            written.add(match.group(1))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield written
    finally:
        event.remove(engine, "before_cursor_execute", note)
