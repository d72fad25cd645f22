"""The stored count (``Obligation.counted``, decision 0009) stays equal to the live ledger
count every township view computes, whatever the ledger or the obligation goes through —
county roll-ups read only the stored one."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import select

from tests.obligations.drill import DrillPlugin, at
from zerenzhi import migrate
from zerenzhi.app import create_app
from zerenzhi.obligations.materialize import reschedule_event_obligation
from zerenzhi.obligations.models import Obligation
from zerenzhi.obligations.status import Window, status_query
from zerenzhi.testing import build_world

EVERYTHING = Window(start=dt.date(2000, 1, 1), end=dt.date(2100, 12, 31))


def stored_and_live(world) -> dict:
    """{obligation id: (stored, live)} for the township's live obligations."""
    with world.scope() as sess:
        rows = sess.execute(status_query(EVERYTHING, dt.datetime.now(dt.UTC))).all()
        return {row.Obligation.id: (row.Obligation.counted, row.done) for row in rows}


def assert_in_step(world) -> dict:
    pairs = stored_and_live(world)
    assert pairs, "nothing to compare"
    drift = {oid: pair for oid, pair in pairs.items() if pair[0] != pair[1]}
    assert not drift, f"stored counts differ from the ledger: {drift}"
    return {oid: stored for oid, (stored, _live) in pairs.items()}


def _summary(world, period: str) -> dict:
    return world.client("secretary").get(
        f"{world.base}/obligations/summary?period={period}").assert_status(200).json


def _evidence(world, rule, unit, day, obligation_id=None):
    body = {"rule": rule, "unit_id": str(world.units[unit]), "occurred_at": at(day)}
    if obligation_id:
        body["obligation_id"] = obligation_id
    return world.client("secretary").post(f"{world.base}/drill/evidence", json=body
                                          ).assert_status(201).json["source_id"]


def _study(world, period: str) -> dict:
    return next(i for i in _summary(world, period)["items"]
                if i["rule"] == "drill.theory_study"
                and i["unit_id"] == str(world.units["branch-1"]))


@time_machine.travel("2026-05-10T09:00:00+08:00", tick=False)
def test_counts_follow_the_ledger_through_every_change(drilled):
    """W3: evidence recorded before its period's obligation exists, moved to another year,
    withdrawn; R3: evidence linked to an event, whose deadline then moves."""
    world = drilled
    first = _evidence(world, "drill.theory_study", "branch-1", "2026-02-03")
    _evidence(world, "drill.theory_study", "branch-1", "2026-03-03")
    assert _study(world, "2026")["done"] == 2  # created now, counted from the ledger
    ids = assert_in_step(world)
    assert sorted(ids.values())[-1] == 2

    client = world.client("secretary")
    client.put(f"{world.base}/drill/evidence/{first}", json={
        "rule": "drill.theory_study", "unit_id": str(world.units["branch-1"]),
        "occurred_at": at("2025-11-03")}).assert_status(200)
    assert _study(world, "2025")["done"] == 1 and _study(world, "2026")["done"] == 1
    assert_in_step(world)

    client.delete(f"{world.base}/drill/evidence/{first}").assert_status(204)
    assert _study(world, "2025")["done"] == 0
    assert_in_step(world)

    situation = client.post(f"{world.base}/drill/situations", json={
        "unit_id": str(world.units["committee"]), "at": at("2026-05-09")}).assert_status(201).json
    _evidence(world, "drill.major_report", "committee", "2026-05-09",
              obligation_id=situation["obligation_id"])
    counts = assert_in_step(world)
    assert counts[_uuid(situation["obligation_id"])] == 1
    with world.scope() as sess:  # a plugin moving the trigger re-dates the obligation
        moved = reschedule_event_obligation(
            sess, "drill.major_report", world.units["committee"], "situation",
            _trigger_id(sess, situation["obligation_id"]),
            dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC))
        sess.commit()
        from zerenzhi.obligations.models import Obligation

        row = sess.scalar(select(Obligation).where(Obligation.id == moved.id))
        assert row.counted == 1  # still linked: it still counts
    assert_in_step(world)


@time_machine.travel("2026-05-10T09:00:00+08:00", tick=False)
def test_a_loaded_obligation_sees_its_new_count_without_a_reload(drilled):
    world = drilled
    _summary(world, "2026")
    from zerenzhi.obligations.ledger import Evidence, sync

    with world.scope() as sess:
        obligation = sess.scalar(select(Obligation).where(
            Obligation.rule_key == "drill.theory_study",
            Obligation.unit_id == world.units["branch-2"], Obligation.slot == "2026"))
        assert obligation.counted == 0
        oid = obligation.id
        sync(sess, "drill", "in-session", [Evidence(
            "drill.theory_study", world.units["branch-2"],
            dt.datetime(2026, 4, 1, 2, tzinfo=dt.UTC))])
        assert obligation.counted == 1  # set on the loaded object by the flush
        sess.rollback()
    assert stored_and_live(world)[oid] == (0, 0)  # rolled back with its entry


def _uuid(value: str):
    import uuid

    return uuid.UUID(value)


def _trigger_id(sess, obligation_id: str) -> str:
    return sess.scalar(select(Obligation.trigger_id).where(
        Obligation.id == _uuid(obligation_id)))


@time_machine.travel("2026-05-10T09:00:00+08:00", tick=False)
def test_the_migration_counts_what_the_ledger_already_holds(app, empty_database):
    """0007 adds the column to a database with data: every existing obligation is counted."""
    owner_url, app_url, role = empty_database
    drill = DrillPlugin()
    config = {"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
              "DB_APP_ROLE": role}
    scratch = create_app(config, plugins=[drill], load_entrypoints=False)
    plugins = scratch.extensions["zerenzhi"].plugins
    migrate.upgrade(owner_url, plugins, role)
    world = build_world(scratch, "tally")
    world.enable("drill")
    for day in ("2026-01-05", "2026-02-05", "2025-12-05"):
        _evidence(world, "drill.theory_study", "branch-1", day)
    _summary(world, "2026")
    _summary(world, "2025")
    before = assert_in_step(world)
    assert sorted(before.values())[-2:] == [1, 2]

    migrate.downgrade(owner_url, plugins, "core", "0006")
    migrate.upgrade(owner_url, plugins, role)
    scratch.extensions["zerenzhi"].db.dispose()
    assert assert_in_step(world) == before
    scratch.extensions["zerenzhi"].db.dispose()


@time_machine.travel("2026-05-10T09:00:00+08:00", tick=False)
def test_recount_command_finds_and_repairs_counts_written_around_the_app(drilled):
    from sqlalchemy import update

    world = drilled
    _evidence(world, "drill.theory_study", "branch-1", "2026-02-03")
    _summary(world, "2026")
    with world.scope() as sess:  # a bulk UPDATE skips the flush, as a hand-made fix would
        sess.execute(update(Obligation).values(counted=7))
        sess.commit()
    assert any(stored != live for stored, live in stored_and_live(world).values())

    def run(*args):
        return world.app.test_cli_runner().invoke(
            args=["obligations", "recount", "--township", world.slug, *args])

    checked = run("--check")
    assert checked.exit_code == 1, checked.output
    assert "differ" in checked.output
    assert any(stored == 7 for stored, _ in stored_and_live(world).values())  # unchanged
    repaired = run()
    assert repaired.exit_code == 0, repaired.output
    assert_in_step(world)
    assert run("--check").exit_code == 0
