"""The calendar: what is due in a window, filtered and paged (docs/architecture.md, Obligations)."""

from __future__ import annotations

import json

import time_machine

from tests.obligations.drill import at

WIDE = "from=2026-01-02&to=2027-12-30"  # clear of 2025 and 2027, due on 31 Dec


def _calendar(world, query: str = "", role: str = "secretary"):
    return world.client(role).get(f"{world.base}/calendar?{query}")


def _evidence(world, rule: str, unit: str, day: str) -> None:
    world.client("secretary").post(f"{world.base}/drill/evidence", json={
        "rule": rule, "unit_id": str(world.units[unit]), "occurred_at": at(day)}
    ).assert_status(201)


@time_machine.travel("2026-06-10T09:00:00+08:00", tick=False)
def test_default_window_shows_what_is_due_around_today(drilled):
    """R1: in June the secretary sees H1's special meeting, due at the end of June."""
    items = _calendar(drilled).assert_status(200).json
    assert [(i["rule"], i["period"]) for i in items] == [("drill.special_meeting", "2026H1")]
    assert items[0]["due_at"] == "2026-06-30T16:00:00+00:00"  # midnight in Asia/Shanghai
    assert items[0]["status"] == "upcoming" and items[0]["source"] == "R1"
    assert f"secretary {drilled.slug}" in [p["name"] for p in items[0]["responsible"]]


@time_machine.travel("2026-06-10T09:00:00+08:00", tick=False)
def test_pages_cover_every_obligation_once_in_due_order(drilled):
    first = _calendar(drilled, f"{WIDE}&page_size=2").assert_status(200)
    paging = json.loads(first.headers["X-Pagination"])
    assert (paging["total"], paging["total_pages"]) == (5, 3)
    seen = [item for page in (1, 2, 3) for item in
            _calendar(drilled, f"{WIDE}&page_size=2&page={page}").json]
    assert len({i["id"] for i in seen}) == 5
    assert [i["due_at"] for i in seen] == sorted(i["due_at"] for i in seen)
    assert {(i["rule"], i["period"]) for i in seen} == {
        ("drill.special_meeting", "2026H1"), ("drill.special_meeting", "2026H2"),
        ("drill.special_meeting", "2027H1"), ("drill.theory_study", "2026")}
    assert _calendar(drilled, "page_size=101").status_code == 422


@time_machine.travel("2026-08-10T09:00:00+08:00", tick=False)
def test_filters_by_status_unit_rule_and_responsible_person(drilled):
    world = drilled
    _evidence(world, "drill.special_meeting", "committee", "2026-08-01")  # H2 done early
    def rules(query):
        return sorted((i["rule"], i["period"], i["status"]) for i in
                      _calendar(world, f"{WIDE}&{query}").assert_status(200).json)

    assert rules("status=fulfilled,overdue") == [
        ("drill.special_meeting", "2026H1", "overdue"),
        ("drill.special_meeting", "2026H2", "fulfilled")]
    assert rules("status=fulfilled&status=overdue") == rules("status=fulfilled,overdue")
    assert rules("status=upcoming&rule=drill.theory_study") == [
        ("drill.theory_study", "2026", "upcoming")] * 2
    branch = _calendar(world, f"{WIDE}&unit={world.units['branch-1']}").json
    assert {i["unit_code"] for i in branch} == {"branch-1"}
    mine = _calendar(world, f"{WIDE}&responsible={world.users['branch_secretary']}").json
    assert [(i["rule"], i["unit_code"]) for i in mine] == [("drill.theory_study", "branch-1")]
    assert _calendar(world, f"{WIDE}&status=late").status_code == 422


@time_machine.travel("2026-05-01T02:00:00+08:00", tick=False)
def test_dates_are_the_township_s_own(drilled):
    """R3: a report due at 02:00 on 2 May in Shanghai (still 1 May in UTC) is due on 2 May."""
    world = drilled
    started = world.client("secretary").post(f"{world.base}/drill/situations", json={
        "unit_id": str(world.units["committee"]), "at": at("2026-05-01", 2)}).json
    on_the_day = _calendar(world, "from=2026-05-02&to=2026-05-02&rule=drill.major_report").json
    day_before = _calendar(world, "from=2026-05-01&to=2026-05-01&rule=drill.major_report").json
    assert [i["id"] for i in on_the_day] == [started["obligation_id"]]
    assert on_the_day[0]["status"] == "due_soon" and day_before == []


def test_nonsense_windows_are_field_errors(drilled):
    backwards = _calendar(drilled, "from=2026-05-01&to=2026-04-01")
    assert backwards.status_code == 422
    assert "from" in backwards.json["errors"]["query"]
    too_long = _calendar(drilled, "from=2026-01-01&to=2029-01-02")
    assert too_long.status_code == 422 and "to" in too_long.json["errors"]["query"]
    assert _calendar(drilled, "from=2026-01-01&to=2029-01-01").status_code == 200
    assert _calendar(drilled, "from=2026-13-01").status_code == 422


@time_machine.travel("2026-06-10T09:00:00+08:00", tick=False)
def test_every_township_role_reads_the_calendar_but_no_one_else(drilled, other_township):
    assert _calendar(drilled, role="viewer").status_code == 200
    assert _calendar(drilled, role="unit_head").status_code == 200
    assert _calendar(drilled, role="county_viewer").status_code == 404
    assert other_township.client("secretary").get(f"{drilled.base}/calendar").status_code == 404
    assert drilled.client().get(f"{drilled.base}/calendar").status_code == 401
