"""``zerenzhi obligations remind`` (cron): due-soon, overdue and weekly digest events,
each exactly once, to the plugins a township enabled (issue 4, item 7)."""

from __future__ import annotations

import pytest
import time_machine

from tests.obligations.drill import DrillPlugin, at
from zerenzhi import Label, Manifest, hookimpl
from zerenzhi.commands.obligations import register


class Recorder:
    """A notifier that keeps every event it is sent; it can be told to fail."""

    manifest = Manifest(name="recorder", version="0.1", title=Label("記錄器", "Recorder"))

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict]] = []
        self.fail_next = False

    @hookimpl
    def on_event(self, tenant, event):
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("notifier down")
        self.events.append((tenant.slug, event.name, event.data))


RECORDER = Recorder()


@pytest.fixture
def zz_plugins():
    return [DrillPlugin(), RECORDER]


@pytest.fixture
def world(township):
    township.enable("drill")
    township.enable("recorder")
    RECORDER.events.clear()
    return township


def remind(world, *args: str, expect: int = 0):
    cli = world.app.cli
    if "obligations" not in cli.commands:
        register(cli)
    result = world.app.test_cli_runner().invoke(
        args=["obligations", "remind", "--township", world.slug, *args])
    assert result.exit_code == expect, result.output
    return result.output


def sent(world, name: str | None = None) -> list[dict]:
    events = [(n, d) for slug, n, d in RECORDER.events if slug == world.slug]
    RECORDER.events[:] = [e for e in RECORDER.events if e[0] != world.slug]
    return [d for n, d in events if name is None or n == name]


def test_running_twice_reminds_once(world):
    """R1: a week before H1 ends, the secretary is reminded of the special meeting — once."""
    output = remind(world, "--at", at("2026-06-24", 9))
    assert output.strip() == f"{world.slug}: 1 due soon, 0 overdue, 2 digests"
    (due,) = sent(world, "obligation.due_soon")
    assert (due["rule"], due["period"], due["threshold"], due["days_left"]) == (
        "drill.special_meeting", "2026H1", 7, 7)
    assert due["due_at"] == "2026-06-30T16:00:00+00:00" and due["source"] == "R1"
    assert f"secretary {world.slug}" in [p["name"] for p in due["responsible"]]
    assert str(world.users["secretary"]) in [p["id"] for p in due["responsible"]]
    assert remind(world, "--at", at("2026-06-24", 10)).strip() == (
        f"{world.slug}: 0 due soon, 0 overdue, 0 digests")
    assert sent(world) == []


def test_each_threshold_then_overdue_fires_once_as_time_passes(world):
    thresholds = []
    for day in ("2026-06-02", "2026-06-10", "2026-06-25", "2026-06-26", "2026-06-30"):
        remind(world, "--at", at(day, 9))
        thresholds += [d["threshold"] for d in sent(world, "obligation.due_soon")]
    assert thresholds == [30, 7, 1]
    remind(world, "--at", at("2026-07-02", 9))
    remind(world, "--at", at("2026-07-03", 9))
    overdue = [d for d in sent(world, "obligation.overdue")]
    assert [(d["rule"], d["period"], d["days_overdue"]) for d in overdue] == [
        ("drill.special_meeting", "2026H1", 1)]


def test_custom_thresholds_and_a_late_first_run(world):
    """Cron first runs 2½ days before the deadline: one reminder (3 days), not two."""
    remind(world, "--at", at("2026-06-28", 9), "--thresholds", "14,3")
    assert [d["threshold"] for d in sent(world, "obligation.due_soon")] == [3]
    remind(world, "--at", at("2026-06-29", 9), "--thresholds", "14,3")
    assert sent(world, "obligation.due_soon") == []


def test_fulfilled_and_waived_obligations_are_not_reminded(world):
    with time_machine.travel("2026-06-20T09:00:00+08:00", tick=False):
        world.client("secretary").post(f"{world.base}/drill/evidence", json={
            "rule": "drill.special_meeting", "unit_id": str(world.units["committee"]),
            "occurred_at": at("2026-06-18")}).assert_status(201)
        remind(world)  # as of now
    assert sent(world) == []


def test_weekly_digest_lists_each_person_s_own_open_items(world):
    """W3 and R1 at year end: the branch secretary's digest lists branch 1 only."""
    remind(world, "--at", at("2026-12-21", 9))
    digests = {d["member_name"]: d for d in sent(world, "obligation.digest")}
    mine = digests[f"branch_secretary {world.slug}"]
    assert mine["week"] == "2026-W52" and mine["member_id"] == str(
        world.users["branch_secretary"])
    assert [(i["rule"], i["unit_id"]) for i in mine["open"]] == [
        ("drill.theory_study", str(world.units["branch-1"]))]
    assert [i["period"] for i in digests[f"secretary {world.slug}"]["open"]] == ["2026H2"]
    assert all(d["overdue"] == [] for d in digests.values())
    remind(world, "--at", at("2026-12-25", 9))  # same ISO week: no second digest
    assert sent(world, "obligation.digest") == []
    remind(world, "--at", at("2027-01-04", 9))  # next week: both are overdue now
    digests = {d["member_name"]: d for d in sent(world, "obligation.digest")}
    assert [i["rule"] for i in digests[f"branch_secretary {world.slug}"]["overdue"]] == [
        "drill.theory_study"]


def test_a_failing_notifier_loses_no_reminder(world):
    """The reminder record and the event share one transaction: a failure rolls back both."""
    RECORDER.fail_next = True
    output = remind(world, "--at", at("2026-06-24", 9), expect=1)
    assert "FAILED" in output and sent(world) == []
    remind(world, "--at", at("2026-06-24", 10))
    assert [d["threshold"] for d in sent(world, "obligation.due_soon")] == [7]


def test_a_township_without_a_notifier_gets_no_events(world, other_township):
    other_township.enable("drill")
    remind(other_township, "--at", at("2026-06-24", 9))
    remind(world, "--at", at("2026-06-24", 9))
    assert [slug for slug, _n, _d in RECORDER.events] == [world.slug] * 3


@pytest.mark.parametrize("args", [
    ("--at", "2026-06-24T09:00"), ("--at", "soon"), ("--thresholds", "7,x"),
    ("--thresholds", "0"),
])
def test_bad_options_are_usage_errors(world, args):
    output = remind(world, *args, expect=2)
    assert "Error" in output


def test_an_unknown_township_is_a_usage_error(world):
    result = world.app.test_cli_runner().invoke(
        args=["obligations", "remind", "--township", "no-such-place"])
    assert result.exit_code == 2 and "no township" in result.output
