"""Filters that tell the truth (issue 13, item 7): status=overdue lists every overdue
obligation, an unknown parameter or value is a 422 naming it, and an empty PATCH is
refused rather than answered as if something changed."""

from __future__ import annotations

import time_machine

from tests.obligations.helpers import calendar, materialised


def _errors(response) -> dict:
    assert response.status_code == 422, response.json
    return response.json["errors"]


@time_machine.travel("2026-10-20T09:00:00+08:00", tick=False)
def test_status_overdue_lists_every_overdue_obligation(drilled):
    """2026H1's meeting, due 30 June, is 112 days overdue: outside the default 30-day
    window, yet the summary lists it, and so must the calendar."""
    world = drilled
    materialised(world)
    summary = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2026H1").assert_status(200).json
    listed = {i["id"] for i in summary["overdue"]}
    assert listed
    overdue = calendar(world, "status=overdue").assert_status(200).json
    assert listed <= {i["id"] for i in overdue}
    assert {i["status"] for i in overdue} == {"overdue"}
    assert calendar(world, "").json == [i for i in calendar(world, "").json
                                        if i["due_on"] >= "2026-09-20"]  # default: 30 days
    # an explicit window is still the window
    assert calendar(world, "status=overdue&from=2026-09-01").json == []


def test_unknown_query_parameters_are_named(drilled):
    world = drilled
    secretary = world.client("secretary")
    assert "perod" in _errors(secretary.get(
        f"{world.base}/obligations/summary?perod=2026H1"))["query"]
    assert "frm" in _errors(calendar(world, "frm=2026-01-01"))["query"]
    assert "tokn" in _errors(secretary.get(f"{world.base}/calendar.ics?tokn=x"))["query"]
    # pagination parameters of a paginated route are not unknown
    calendar(world, "page=1&page_size=5").assert_status(200)
    assert "pg" in _errors(calendar(world, "page=1&pg=2"))["query"]
    units = secretary.get(f"{world.base}/units?page=1&page_size=5&include_archived=true")
    assert units.status_code == 200
    assert "archived" in _errors(secretary.get(f"{world.base}/units?archived=1"))["query"]


def test_unknown_values_are_named(drilled):
    world = drilled
    assert "rule" in _errors(calendar(world, "rule=nosuch.rule"))["query"]
    assert "status" in _errors(calendar(world, "status=bogus"))["query"]
    calendar(world, "rule=drill.special_meeting").assert_status(200)
    errors = _errors(world.client("secretary").get(
        f"{world.base}/obligations/summary?period=9999H1"))
    assert "period" in errors["query"]


def test_an_empty_patch_changes_nothing_and_says_so(drilled):
    world = drilled
    admin = world.client("secretary")
    for path in (f"{world.base}/rules/drill.special_meeting",
                 f"{world.base}/units/{world.units['branch-1']}"):
        etag = admin.get(path).headers.get("ETag")
        response = admin.patch(path, json={}, headers={"If-Match": etag} if etag else {})
        errors = _errors(response)
        assert errors["json"]["_schema"] in (["nothing to change"], ["沒有要修改的內容"],
                                             ["没有要修改的内容"]), errors
