"""The calendar follows facts, never reads (decision 0018): a go-live date bounds what is
owed; enabling a module, adding or archiving a unit and moving the go-live date change the
obligations in the same transaction; the scheduler's job opens periods as they begin."""

from __future__ import annotations

import datetime as dt
import uuid

import time_machine
from sqlalchemy import func, select

from zerenzhi.obligations.models import Obligation

NOW = "2026-12-04T10:00:00+08:00"  # 2026H2; the next half-year is 2027H1


def _slots(world, rule: str, unit: str | None = None, archived: bool = False) -> set[str]:
    with world.scope() as sess:
        statement = select(Obligation.slot).where(
            Obligation.rule_key == rule,
            Obligation.archived_at.is_not(None) if archived else Obligation.archived_at.is_(None))
        if unit is not None:
            statement = statement.where(Obligation.unit_id == world.units[unit])
        return set(sess.scalars(statement))


def _count(world) -> int:
    with world.scope() as sess:
        return sess.scalar(select(func.count()).select_from(Obligation))


@time_machine.travel(NOW, tick=False)
def test_a_period_before_go_live_is_refused_and_creates_nothing(drilled):
    """The test township went live on 2025-01-01: 1999H1 and 2024H2 owe nothing."""
    before = _count(drilled)
    for period in ("1999H1", "2024H2", "2024"):
        answer = drilled.client("secretary").get(
            f"{drilled.base}/obligations/summary?period={period}").assert_status(422).json
        assert "2025-01-01" in answer["errors"]["query"]["period"][0]
    assert _count(drilled) == before
    assert drilled.client("secretary").get(
        f"{drilled.base}/obligations/summary?period=2025H1").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_enabling_a_module_owes_this_period_and_the_next_not_those_gone(township):
    admin = township.client("tenant_admin")
    admin.put(f"{township.base}/plugins/drill", json={"settings": {}}).assert_status(200)
    assert _slots(township, "drill.special_meeting") == {"2026H2", "2027H1"}  # R1
    assert _slots(township, "drill.theory_study", "branch-1") == {"2026", "2027"}  # W3
    admin.delete(f"{township.base}/plugins/drill").assert_status(200)
    assert _slots(township, "drill.special_meeting") == set()  # no longer owed…
    assert _slots(township, "drill.special_meeting", archived=True) == {"2026H2", "2027H1"}
    admin.put(f"{township.base}/plugins/drill", json={"settings": {}}).assert_status(200)
    assert _slots(township, "drill.special_meeting") == {"2026H2", "2027H1"}  # …owed again


@time_machine.travel(NOW, tick=False)
def test_a_new_unit_owes_from_this_period_and_archiving_it_retires_what_is_open(drilled):
    office = drilled.client("office")
    unit = office.post(f"{drilled.base}/units", json={
        "code": "branch-9", "name": "第九黨支部", "kind": "branch",
        "parent_id": str(drilled.units["committee"])}).assert_status(201)
    drilled.units["branch-9"] = uuid.UUID(unit.json["id"])
    assert _slots(drilled, "drill.theory_study", "branch-9") == {"2026", "2027"}
    url = f"{drilled.base}/units/{unit.json['id']}"
    office.delete(url, headers={"If-Match": office.get(url).headers["ETag"]}).assert_status(204)
    assert _slots(drilled, "drill.theory_study", "branch-9") == set()
    assert "2025" in _slots(drilled, "drill.theory_study", "branch-1")  # ended: history stays


@time_machine.travel(NOW, tick=False)
def test_moving_the_go_live_date_retires_and_restores_what_it_bounds(drilled):
    county = drilled.client("county_admin")
    url = f"/api/v1/counties/{drilled.county_slug}/townships/{drilled.slug}"
    shown = county.get(url).assert_status(200)
    assert shown.json["live_from"] == "2025-01-01"
    moved = county.patch(url, json={"live_from": "2026-07-01"},
                         headers={"If-Match": shown.headers["ETag"]}).assert_status(200)
    assert _slots(drilled, "drill.special_meeting") == {"2026H2", "2027H1"}
    drilled.client("secretary").get(
        f"{drilled.base}/obligations/summary?period=2026H1").assert_status(422)
    county.patch(url, json={"live_from": "2025-01-01"},
                 headers={"If-Match": moved.headers["ETag"]}).assert_status(200)
    assert _slots(drilled, "drill.special_meeting") == {
        "2025H1", "2025H2", "2026H1", "2026H2", "2027H1"}
    county.patch(url, json={"live_from": "1999-01-01"},
                 headers={"If-Match": county.get(url).headers["ETag"]}).assert_status(422)


def test_the_next_period_opens_on_its_first_day_without_a_read(drilled):
    with time_machine.travel(NOW, tick=False):
        assert "2027H2" not in _slots(drilled, "drill.special_meeting")
    with time_machine.travel("2027-07-01T00:30:00+08:00", tick=False):
        assert drilled.open_periods() > 0
        assert {"2027H2", "2028H1"} <= _slots(drilled, "drill.special_meeting")
        assert drilled.open_periods() == 0  # idempotent


def test_a_township_provisioned_today_owes_nothing_before_today(app):
    from zerenzhi.testing.world import build_world

    with time_machine.travel(NOW, tick=False):
        world = build_world(app, "g", live_from=dt.date(2026, 12, 4))
        world.enable("drill")
        assert _slots(world, "drill.special_meeting") == {"2026H2", "2027H1"}
        world.client("secretary").get(
            f"{world.base}/obligations/summary?period=2026H1").assert_status(422)
