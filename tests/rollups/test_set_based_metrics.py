"""The built-in modules' roll-up metrics in their set-based form (decision 0034): one run per
county inside its read scope gives, for every township and several periods, exactly what
each metric's per-township ``compute`` gives in that township's own scope — on the demo data,
with a township in another time zone — and the metrics view's statements no longer grow with
the number of townships."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
import time_machine

from tests.rollups.conftest import rollup
from zerenzhi.auth.models import Member, Position, UserAccount
from zerenzhi.db.session import session
from zerenzhi.obligations.materialize import materialise
from zerenzhi.obligations.periods import parse
from zerenzhi.orgunits.models import OrgUnit
from zerenzhi.orgunits.service import root_unit
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.plugin_host.service import load_demo_data
from zerenzhi.provisioning.service import create_township
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant
from zerenzhi.testing import World, statements_of
from zerenzhi.testing.world import LIVE_FROM, ROLE_UNITS, UNITS

NOW = "2026-09-15T09:00:00+08:00"
BUILT_IN = ("accountability", "analysis", "approvals", "assessment", "inspection", "platforms",
            "reporting", "study")
PERIODS = ("2026", "2026H1", "2026H2", "2026Q2", "2026Q3", "2026-09", "2025")


@pytest.fixture
def zz_plugins():
    return []


@pytest.fixture
def zz_load_entrypoints():
    return True


def _township(world: World, name: str, modules: tuple[str, ...], timezone: str | None = None):
    """A township of ``world``'s county with the World's units, ``modules`` enabled and
    their demo data loaded, as a township going live with them would."""
    with world.app.app_context():
        sess = session()
        town = create_township(sess, sess.get(Tenant, world.county_id),
                               f"{world.slug[2:]}-{name}", name, timezone=timezone,
                               live_from=LIVE_FROM)
        with tenant_scope(town.ref()):
            units = {"committee": root_unit(sess).id}
            for code, unit_name, kind, parent in UNITS:
                unit = OrgUnit(code=code, name=f"{name}{unit_name}", kind=kind,
                               parent_id=units[parent])
                sess.add(unit)
                sess.flush()
                units[code] = unit.id
            for role, code in ROLE_UNITS.items():  # the demo data names people by post
                account = UserAccount(username=f"{role}-{uuid.uuid4().hex[:8]}",
                                      password_hash="x", display_name=f"{name}{role}",
                                      home_tenant_id=town.id)
                sess.add(account)
                sess.flush()
                sess.add(Member(id=account.id, display_name=account.display_name))
                sess.flush()
                sess.add(Position(member_id=account.id, role=role, unit_id=units[code]))
            sess.flush()
            _load(sess, modules)
        sess.commit()
        return town.id


def _load(sess, modules) -> None:
    for plugin in modules:
        sess.add(TenantPlugin(plugin=plugin, enabled=True, settings={}))
    sess.flush()
    materialise(sess, since=LIVE_FROM)
    load_demo_data(sess)


def _county(world: World) -> dict:
    """A: the World's township, every module. B: every module, in another time zone (its
    local days and period bounds differ). C: study only."""
    with world.scope() as sess:
        _load(sess, BUILT_IN)
        sess.commit()
    return {"a": world.tenant_id,
            "b": _township(world, "乙", BUILT_IN, timezone="America/Los_Angeles"),
            "c": _township(world, "丙", ("study",))}


def _per_township(app, tenant_id, period: str) -> dict:
    """Every enabled built-in metric through its per-township ``compute``, in that
    township's own scope (what the county's view ran before decision 0034)."""
    found = app.extensions["zerenzhi"].metrics
    with app.test_request_context(), app.app_context():
        sess = session()
        with tenant_scope(sess.get(Tenant, tenant_id).ref()):
            enabled = {row.plugin for row in sess.query(TenantPlugin).filter_by(enabled=True)}
            values = {key: metric.compute(sess, parse(period))
                      for key, (plugin, metric) in sorted(found.items()) if plugin in enabled}
        sess.rollback()
    return values


@time_machine.travel(NOW, tick=False)
def test_set_based_values_equal_the_per_township_ones(app, township):
    towns = _county(township)
    metrics = app.extensions["zerenzhi"].metrics
    built_in = {key for key, (plugin, _m) in metrics.items() if plugin in BUILT_IN}
    assert len(built_in) == 16
    assert all(metrics[key][1].compute_for_townships is not None for key in built_in)
    reported = 0
    for period in PERIODS:
        result = rollup(township, "metrics", period=period).assert_status(200).json
        rows = {row["township"]["slug"]: row for row in result["townships"]}
        assert len(rows) == 3
        for tenant_id in towns.values():
            with app.app_context():
                slug = session().get(Tenant, tenant_id).slug
            row = rows[slug]
            assert row["failed"] == [], (period, slug)
            assert row["values"] == _per_township(app, tenant_id, period), (period, slug)
            reported += sum(1 for v in row["values"].values() if v)
    assert reported > 40  # the demo data gives real figures, so equality means something


@time_machine.travel(NOW, tick=False)
def test_a_township_that_did_not_enable_a_module_shows_it_disabled(app, township):
    towns = _county(township)
    result = rollup(township, "metrics", period="2026").assert_status(200).json
    with app.app_context():
        slug = session().get(Tenant, towns["c"]).slug
    c = next(row for row in result["townships"] if row["township"]["slug"] == slug)
    assert c["disabled"] == sorted(set(BUILT_IN) - {"study"})
    assert {key.split(".")[0] for key in c["values"]} == {"study"}
    assert c["values"]["study.sessions_count"] > 0  # its own demo sessions, not another's


def _statements(world: World, period: str = "2026") -> int:
    url = f"/api/v1/counties/{world.county_slug}/rollup/metrics?period={period}"
    return statements_of(world, "county_viewer", url)[0]


def _per_township_only(app, monkeypatch) -> None:
    """The metrics as before decision 0034: per-township ``compute`` only."""
    found = app.extensions["zerenzhi"].metrics
    monkeypatch.setattr(app.extensions["zerenzhi"], "metrics", {
        key: (plugin, dataclasses.replace(metric, compute_for_townships=None))
        for key, (plugin, metric) in found.items()})


@time_machine.travel(NOW, tick=False)
def test_the_metrics_view_statements_do_not_grow_with_townships(app, township, monkeypatch):
    _county(township)
    three = _statements(township)
    for n in range(3):
        _township(township, f"丁{n}", BUILT_IN)
    six = _statements(township)
    assert six == three, (three, six)
    assert three < 60
    # the loop it replaced: the same listener sees every added township's statements
    _per_township_only(app, monkeypatch)
    looped = _statements(township)
    assert looped > six + 3 * 16, (looped, six)




@time_machine.travel(NOW, tick=False)
def test_module_tables_open_to_the_county_read_scope_only(app, township, zz_backend):
    """A module's county-readable table shows a county's roll-up read scope its townships'
    rows, and nothing else ever does: a township sees its own, below the ORM too."""
    from sqlalchemy import select, text

    from zerenzhi.plugins.study.models import StudyMeeting
    from zerenzhi.tenancy.context import county_read_scope
    from zerenzhi.testing import build_world

    towns = _county(township)
    stranger = build_world(app, "x")  # another county's township, with its own sessions
    with stranger.scope() as sess:
        _load(sess, ("study",))
        sess.commit()
    raw = "SELECT DISTINCT tenant_id FROM study_session"
    with app.app_context():
        sess = session()
        b = sess.get(Tenant, towns["b"]).ref()
        county = sess.get(Tenant, township.county_id).ref()
        with tenant_scope(b):
            own = set(sess.scalars(select(StudyMeeting.tenant_id)))
            own_raw = {row[0] for row in sess.execute(text(raw))}
        sess.rollback()
        with county_read_scope(county):
            read = set(sess.scalars(select(StudyMeeting.tenant_id)))
            read_raw = {row[0] for row in sess.execute(text(raw))}
        sess.rollback()
    assert own == {towns["b"]}
    assert read == set(towns.values())
    if zz_backend != "sqlite":  # row-level security, below the ORM
        assert {str(t) for t in own_raw} == {str(towns["b"])}
        assert {str(t) for t in read_raw} == {str(t) for t in towns.values()}
    # and no township route shows another township's records
    response = township.client("secretary").get(f"{township.base}/study/sessions")
    assert response.status_code == 200
    body = response.raw.get_data(as_text=True)
    assert "乙" not in body and "丙" not in body
