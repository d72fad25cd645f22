"""The obligations calendar: rules, periods, ledger, status (docs/architecture.md, Obligations)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import time_machine

from tests.obligations.drill import at


def _item(summary, rule, unit_id):
    return next(i for i in summary["items"]
                if i["rule"] == rule and i["unit_id"] == str(unit_id))


def _evidence(world, rule, unit, day, client="secretary"):
    return world.client(client).post(f"{world.base}/drill/evidence", json={
        "rule": rule, "unit_id": str(world.units[unit]), "occurred_at": at(day)}
    ).assert_status(201).json["source_id"]


@time_machine.travel("2026-03-02T09:00:00+08:00", tick=False)
def test_twelve_sessions_fulfil_branch_theory_study(drilled):
    """W3: a branch holds centralised study at least 12 times a year."""
    world = drilled
    for month in range(1, 13):
        _evidence(world, "drill.theory_study", "branch-1", f"2026-{month:02d}-05")
    summary = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2026").assert_status(200).json
    done = _item(summary, "drill.theory_study", world.units["branch-1"])
    behind = _item(summary, "drill.theory_study", world.units["branch-2"])
    assert (done["status"], done["done"], done["required"]) == ("fulfilled", 12, 12)
    assert done["fulfilled_at"].startswith("2026-12-05")
    assert done["source"] == "W3"
    assert (behind["status"], behind["done"]) == ("upcoming", 0)
    assert [p["name"] for p in done["responsible"]] == [f"branch_secretary {world.slug}"]


@time_machine.travel("2027-01-03T09:00:00+08:00", tick=False)
def test_overdue_half_year_and_due_soon(drilled):
    """R1: one special meeting each half-year; 2026H2 missed is overdue in January."""
    world = drilled  # its posts were filled on the real date, in 2026H2
    summary = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2027H1").json
    late = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2026H2").json
    h2 = next(i for i in late["items"] if i["rule"] == "drill.special_meeting")
    h1 = next(i for i in summary["items"] if i["rule"] == "drill.special_meeting")
    assert h2["status"] == "overdue" and h1["status"] == "upcoming"
    assert h2["responsible_at_due"] == h2["responsible"] != []
    assert any(o["id"] == h2["id"] for o in late["overdue"])
    assert late["compliance_rate"] == 0.0
    soon = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2027H1&due_soon_days=200").json
    assert next(i for i in soon["items"] if i["id"] == h1["id"])["status"] == "due_soon"


@time_machine.travel("2026-05-10T09:00:00+08:00", tick=False)
def test_editing_and_archiving_move_the_ledger(drilled):
    world = drilled
    source = _evidence(world, "drill.special_meeting", "committee", "2026-04-01")
    client = world.client("secretary")

    def h1():
        summary = client.get(f"{world.base}/obligations/summary?period=2026H1").json
        return _item(summary, "drill.special_meeting", world.units["committee"])

    assert h1()["status"] == "fulfilled"
    client.put(f"{world.base}/drill/evidence/{source}", json={
        "rule": "drill.special_meeting", "unit_id": str(world.units["committee"]),
        "occurred_at": at("2026-08-01")}).assert_status(200)
    assert h1()["status"] == "upcoming"
    client.delete(f"{world.base}/drill/evidence/{source}").assert_status(204)
    summary = client.get(f"{world.base}/obligations/summary?period=2026H2").json
    assert _item(summary, "drill.special_meeting", world.units["committee"])["done"] == 0


def test_period_boundaries_use_the_township_time_zone(drilled):
    """Evidence at 23:30 on 30 June in Asia/Shanghai belongs to H1, not H2."""
    world = drilled
    with time_machine.travel("2026-07-01T12:00:00+08:00", tick=False):
        world.client("secretary").post(f"{world.base}/drill/evidence", json={
            "rule": "drill.special_meeting", "unit_id": str(world.units["committee"]),
            "occurred_at": "2026-06-30T15:30:00+00:00"}).assert_status(201)  # 23:30 local
        summary = world.client("secretary").get(
            f"{world.base}/obligations/summary?period=2026H1").json
    assert _item(summary, "drill.special_meeting", world.units["committee"])["status"] == \
        "fulfilled"


@time_machine.travel("2028-02-29T12:00:00+08:00", tick=False)
def test_leap_day_counts_in_february_and_q1(drilled):
    world = drilled
    _evidence(world, "drill.special_meeting", "committee", "2028-02-29")
    with time_machine.travel("2028-03-01T09:00:00+08:00", tick=False):
        assert world.open_periods() > 0  # the scheduler opens 2028's periods as they begin
    summary = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2028Q1").json
    item = _item(summary, "drill.special_meeting", world.units["committee"])
    assert item["status"] == "fulfilled" and item["period"] == "2028H1"


def test_rule_changed_mid_year_applies_from_current_period(drilled):
    """A township lowers W3's 12 to 6 in 2027; 2026 stays judged by 12."""
    world = drilled
    with time_machine.travel("2026-12-20T09:00:00+08:00", tick=False):
        for month in range(1, 7):
            _evidence(world, "drill.theory_study", "branch-1", f"2026-{month:02d}-05")
        world.client("secretary").get(f"{world.base}/obligations/summary?period=2026")
    with time_machine.travel("2027-03-01T09:00:00+08:00", tick=False):
        for month in range(1, 7):
            _evidence(world, "drill.theory_study", "branch-1", f"2027-{month:02d}-05")
        patched = world.client("secretary").patch(
            f"{world.base}/rules/drill.theory_study",
            json={"min_count": 6, "reason": "鎮黨委決定"}).assert_status(200).json
        assert patched["min_count"] == 6 and patched["sources"]["min_count"] == "township"
        assert patched["version"] == "v2027-01-01"
        old = world.client("secretary").get(f"{world.base}/obligations/summary?period=2026").json
        new = world.client("secretary").get(f"{world.base}/obligations/summary?period=2027").json
    old_item = _item(old, "drill.theory_study", world.units["branch-1"])
    new_item = _item(new, "drill.theory_study", world.units["branch-1"])
    assert (old_item["required"], old_item["status"], old_item["rule_version"]) == (
        12, "overdue", "default")
    assert (new_item["required"], new_item["status"], new_item["rule_version"]) == (
        6, "fulfilled", "v2027-01-01")


def test_nonsense_rule_changes_are_422_and_change_nothing(drilled):
    client = drilled.client("secretary")
    base = f"{drilled.base}/rules"
    assert client.patch(f"{base}/drill.theory_study", json={"min_count": -1}).status_code == 422
    assert client.patch(f"{base}/drill.theory_study",
                        json={"deadline_hours": 5}).status_code == 422
    assert client.patch(f"{base}/drill.major_report", json={"min_count": 3}).status_code == 422
    assert client.patch(f"{base}/drill.theory_study", json={"colour": 1}).status_code == 422
    rule = client.get(f"{base}/drill.theory_study").assert_status(200).json
    assert (rule["min_count"], rule["version"]) == (12, "default")
    assert drilled.client("branch_secretary").patch(
        f"{base}/drill.theory_study", json={"min_count": 3}).status_code == 403


def test_switching_a_rule_off_hides_its_open_obligations(drilled):
    client = drilled.client("secretary")
    with time_machine.travel("2026-04-01T09:00:00+08:00", tick=False):
        client.patch(f"{drilled.base}/rules/drill.special_meeting",
                     json={"enabled": False}).assert_status(200)
        summary = client.get(f"{drilled.base}/obligations/summary?period=2026").json
    assert not [i for i in summary["items"] if i["rule"] == "drill.special_meeting"]


def test_event_rule_deadline_and_late_report(drilled):
    """R3: a major situation starts a 24 h deadline; a late report stays visible as late."""
    world = drilled
    client = world.client("secretary")
    with time_machine.travel("2026-05-01T08:00:00+08:00", tick=False):
        started = client.post(f"{world.base}/drill/situations", json={
            "unit_id": str(world.units["committee"]), "at": at("2026-05-01", 8)}).json
        due = dt.datetime.fromisoformat(started["due_at"])
        assert due == dt.datetime.fromisoformat(at("2026-05-02", 8))  # 24 h after
    with time_machine.travel("2026-05-03T08:00:00+08:00", tick=False):
        summary = client.get(f"{world.base}/obligations/summary?period=2026H1").json
        item = next(i for i in summary["items"] if i["id"] == started["obligation_id"])
        assert item["status"] == "overdue"
        client.post(f"{world.base}/drill/evidence", json={
            "rule": "drill.major_report", "unit_id": str(world.units["committee"]),
            "occurred_at": at("2026-05-03", 8),
            "obligation_id": started["obligation_id"]}).assert_status(201)
        summary = client.get(f"{world.base}/obligations/summary?period=2026H1").json
    item = next(i for i in summary["items"] if i["id"] == started["obligation_id"])
    assert item["status"] == "fulfilled"
    assert item["fulfilled_at"] > item["due_at"]  # late, and shown as late


@time_machine.travel("2026-09-01T09:00:00+08:00", tick=False)
def test_waive_needs_a_leader_and_a_reason(drilled):
    world = drilled
    summary = world.client("secretary").get(f"{world.base}/obligations/summary?period=2026H1")
    target = next(i for i in summary.json["items"] if i["rule"] == "drill.special_meeting")
    url = f"{world.base}/obligations/{target['id']}/waiver"
    assert world.client("office").post(url, json={"reason": "合併召開"}).status_code == 403
    assert world.client("deputy").post(url, json={}).status_code == 422
    waived = world.client("deputy").post(url, json={"reason": "與縣委會議合併召開"})
    assert waived.assert_status(201).json["status"] == "waived"
    assert waived.json["waived"]["reason"] == "與縣委會議合併召開"
    audit = world.client("secretary").get(f"{world.base}/audit?action=obligation.waive").json
    assert len(audit) == 1 and audit[0]["target_id"] == target["id"]


@time_machine.travel("2026-03-01T09:00:00+08:00", tick=False)
def test_responsibility_follows_the_post(drilled):
    """A new branch secretary answers for the branch's open obligations at once."""
    world = drilled
    admin = world.client("tenant_admin")
    old_id = world.users["branch_secretary"]
    position = world.positions["branch_secretary"]
    admin.delete(f"{world.base}/users/{old_id}/positions/{position}").assert_status(200)
    admin.post(f"{world.base}/users", json={
        "username": f"new-sec-{world.slug}", "display_name": "新書記",
        "password": "a long enough password",
        "positions": [{"role": "branch_secretary", "unit_id": str(world.units["branch-1"])}],
    }).assert_status(201)
    summary = world.client("secretary").get(f"{world.base}/obligations/summary?period=2026").json
    item = _item(summary, "drill.theory_study", world.units["branch-1"])
    assert [p["name"] for p in item["responsible"]] == ["新書記"]


def test_write_scope_follows_the_org_tree(drilled):
    """A branch secretary writes only in their own branch; the secretary township-wide."""
    world = drilled
    _evidence(world, "drill.theory_study", "branch-1", "2026-03-05", client="branch_secretary")
    refused = world.client("branch_secretary").post(f"{world.base}/drill/evidence", json={
        "rule": "drill.theory_study", "unit_id": str(world.units["branch-2"]),
        "occurred_at": at("2026-03-05")})
    assert refused.status_code == 403
    _evidence(world, "drill.theory_study", "branch-2", "2026-03-05", client="secretary")


def test_evidence_can_count_for_the_period_it_reports_on(drilled, app):
    """An H1 report submitted on 3 July counts for H1 and still shows as late."""
    import datetime as dt

    from zerenzhi.obligations.ledger import Evidence, sync

    world = drilled
    with time_machine.travel("2026-07-05T09:00:00+08:00", tick=False):
        with world.scope() as sess:
            sync(sess, "drill", "report-h1", [Evidence(
                "drill.special_meeting", world.units["committee"],
                dt.datetime.fromisoformat(at("2026-07-03")), counts_on=dt.date(2026, 6, 30))])
            sess.commit()
        summary = world.client("secretary").get(
            f"{world.base}/obligations/summary?period=2026H1").json
    item = _item(summary, "drill.special_meeting", world.units["committee"])
    assert item["status"] == "fulfilled" and item["fulfilled_at"] > item["due_at"]


def test_closing_and_reopening_an_event_obligation(drilled):
    from zerenzhi.obligations.materialize import close_event_obligation, open_event_obligation

    world = drilled
    with time_machine.travel("2026-05-01T08:00:00+08:00", tick=False), world.scope() as sess:
        import datetime as dt

        moment = dt.datetime.fromisoformat(at("2026-05-01", 8))
        opened = open_event_obligation(sess, "drill.major_report", world.units["committee"],
                                       "situation", "s-1", moment)
        closed = close_event_obligation(sess, "drill.major_report", world.units["committee"],
                                        "situation", "s-1")
        assert closed.id == opened.id and closed.closed and not opened.closed
        again = open_event_obligation(sess, "drill.major_report", world.units["committee"],
                                      "situation", "s-1", moment)
        assert again.id == opened.id and not again.closed
        with pytest.raises(dataclasses.FrozenInstanceError):  # a handle, never core's row
            again.due_at = moment  # type: ignore[misc]
        sess.commit()
