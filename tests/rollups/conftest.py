"""A county of several townships for the roll-up tests, built through the services a
township's own work would use (ledger, materialisation in the township's scope)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest

from tests.rollups.plugins import CountedHello, RoguePlugin, TallyPlugin
from zerenzhi.db.session import session
from zerenzhi.obligations.ledger import Evidence, sync
from zerenzhi.obligations.materialize import ensure_periodic, open_event_obligation
from zerenzhi.obligations.periods import parse
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.orgunits.service import root_unit
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.provisioning.service import create_township
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant
from zerenzhi.testing import World
from zerenzhi.testing.world import LIVE_FROM

PLUGINS = [TallyPlugin(), CountedHello(), RoguePlugin()]
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def zz_plugins():
    return PLUGINS


@pytest.fixture
def zz_load_entrypoints():
    return False


@dataclass
class Town:
    """A township of the test county: its id, slug and units by code."""

    app: object
    id: uuid.UUID
    slug: str
    name: str
    units: dict[str, uuid.UUID] = field(default_factory=dict)

    def scope(self):
        return _Scope(self.app, self.id)


class _Scope:
    def __init__(self, app, tenant_id) -> None:
        self.app, self.tenant_id = app, tenant_id

    def __enter__(self):
        self.ctx = self.app.app_context()
        self.ctx.push()
        sess = session()
        self.inner = tenant_scope(sess.get(Tenant, self.tenant_id).ref())
        self.inner.__enter__()
        return sess

    def __exit__(self, *exc):
        self.inner.__exit__(*exc)
        self.ctx.pop()


def town_of(world: World) -> Town:
    """The World's own township as a Town."""
    return Town(world.app, world.tenant_id, world.slug, "", dict(world.units))


def add_township(world: World, name: str, branches: int = 2) -> Town:
    """Another township in ``world``'s county, with a committee and ``branches`` branches."""
    slug = f"{world.county_slug[2:]}-{uuid.uuid4().hex[:4]}"
    with world.app.app_context():
        sess = session()
        town = create_township(sess, sess.get(Tenant, world.county_id), slug, name,
                               live_from=LIVE_FROM)
        result = Town(world.app, town.id, town.slug, name)
        with tenant_scope(town.ref()):
            result.units["committee"] = root_unit(sess).id
            for n in range(1, branches + 1):
                unit = OrgUnit(code=f"branch-{n}", name=f"{name}第{n}支部", kind="branch",
                               parent_id=result.units["committee"])
                sess.add(unit)
                sess.flush()
                result.units[unit.code] = unit.id
        sess.commit()
    return result


def enable(town: Town, *plugins: str) -> None:
    with town.scope() as sess:
        for name in plugins:
            sess.add(TenantPlugin(plugin=name, enabled=True, settings={}))
        sess.commit()


def materialise(town: Town, period: str) -> None:
    """Open a period's rows as going live with the module would (``ensure_periodic``)."""
    with town.scope() as sess:
        ensure_periodic(sess, parse(period))
        sess.commit()


def record(town: Town, rule: str, unit: str, day: str) -> None:
    """One piece of evidence, as a module's record would sync it into the ledger."""
    at = dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=CST)
    with town.scope() as sess:
        sync(sess, "tally", uuid.uuid4(), [Evidence(rule, town.units[unit], at)])
        sess.commit()


def trigger(town: Town, rule: str, day: str) -> None:
    """Something happened that starts an event rule's deadline (R3's 24 h)."""
    at = dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=CST)
    with town.scope() as sess:
        open_event_obligation(sess, rule, town.units["committee"], "situation", uuid.uuid4(),
                              at)
        sess.commit()


def rollup(world: World, view: str, role: str = "county_viewer", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return world.client(role).get(
        f"/api/v1/counties/{world.county_slug}/rollup/{view}" + (f"?{query}" if query else ""))


SECRET_NAME = "秘密姓名甲"  # a person: the county sees roles, never names
SECRET_REASON = "SECRET-WAIVE-REASON 豁免理由"  # stored on the obligation and in the audit log
SECRET_GREETING = "PRIVATE-GREETING 問候正文"  # a module record's body


@dataclass
class County:
    """A county of three townships (A = the World's, B, C) and a look-alike other county.

    2026H1 (as of 2026-07-10): A met its special meeting and branch-1's study, branch-2's
    study is waived and a major situation went unreported (overdue since 2 June); B missed
    its meeting and branch-1's study, branch-2 studied twice; C enabled the module but has
    never been read, so it has no obligations yet. The other county looks the same.
    """

    world: World
    a: Town
    b: Town
    c: Town
    other: World


def _person(town: Town, role: str, unit: str, name: str) -> None:
    from zerenzhi.auth.models import Member, Position, UserAccount

    with town.scope() as sess:
        account = UserAccount(username=f"p-{uuid.uuid4().hex[:8]}", password_hash="x",
                              display_name=name, home_tenant_id=town.id)
        sess.add(account)
        sess.flush()
        sess.add(Member(id=account.id, display_name=name))
        sess.flush()
        sess.add(Position(member_id=account.id, role=role, unit_id=town.units[unit]))
        sess.commit()


def _greet(town: Town, unit: str, day: str) -> None:
    from zerenzhi_hello.services import record_greeting

    at = dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=CST)
    with town.scope() as sess:
        record_greeting(sess, unit_id=town.units[unit], message=SECRET_GREETING, greeted_at=at)
        sess.commit()


def _waive(world: World, rule: str, unit: str, period: str) -> None:
    client = world.client("secretary")
    summary = client.get(f"{world.base}/obligations/summary?period={period}").json
    item = next(i for i in summary["items"]
                if i["rule"] == rule and i["unit_id"] == str(world.units[unit]))
    client.post(f"{world.base}/obligations/{item['id']}/waiver",
                json={"reason": SECRET_REASON}).assert_status(201)


def _fill(town: Town, world: World | None) -> None:
    from tests.rollups.plugins import MEETING, REPORT, STUDY

    enable(town, "tally")
    materialise(town, "2026H1")
    record(town, MEETING, "committee", "2026-03-01")
    record(town, STUDY, "branch-1", "2026-02-01")
    record(town, STUDY, "branch-1", "2026-05-01")
    record(town, STUDY, "branch-2", "2026-04-01")
    trigger(town, REPORT, "2026-06-01")
    if world is not None:
        _waive(world, STUDY, "branch-2", "2026H1")


@pytest.fixture
def county(township, other_township) -> County:
    from tests.rollups.plugins import STUDY

    a = town_of(township)
    a.name = "A"
    _fill(a, township)
    _person(a, "branch_secretary", "branch-1", SECRET_NAME)
    enable(a, "hello")
    _greet(a, "branch-1", "2026-05-20")
    b = add_township(township, "乙鎮")
    enable(b, "tally", "rogue")
    materialise(b, "2026H1")
    record(b, STUDY, "branch-2", "2026-02-01")
    record(b, STUDY, "branch-2", "2026-03-01")
    record(b, STUDY, "branch-1", "2026-03-01")
    c = add_township(township, "丙鎮", branches=1)
    enable(c, "tally")
    other = town_of(other_township)
    _fill(other, other_township)
    return County(township, a, b, c, other_township)
