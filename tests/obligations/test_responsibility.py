"""Who answers for each obligation (issue 13, item 5): the post and its holders now and at
the due date, and for committee-level work the first responsible (the secretary, M1) and
the directly responsible leader (M2) — in the API, the ICS feed and the county's list."""

from __future__ import annotations

import time_machine
from icalendar import Calendar

from tests.obligations.helpers import calendar, materialised

WINDOW = "from=2026-06-01&to=2026-12-31"


def _names(people) -> set[str]:
    return {person["name"] for person in people}


@time_machine.travel("2026-08-10T09:00:00+08:00", tick=False)
def test_committee_work_names_the_first_and_directly_responsible(drilled):
    world = drilled
    materialised(world)
    items = calendar(world, f"{WINDOW}&page_size=100").assert_status(200).json
    meeting = next(i for i in items if i["rule"] == "drill.special_meeting")
    study = next(i for i in items if i["rule"] == "drill.theory_study")
    slug = world.slug
    assert meeting["responsible_role"] == "secretary" and meeting["responsible_role_label"]
    assert _names(meeting["responsible"]) == {f"secretary {slug}", f"all {slug}"}
    assert _names(meeting["first_responsible"]) == {f"secretary {slug}", f"all {slug}"}
    assert _names(meeting["directly_responsible"]) == {f"deputy {slug}", f"all {slug}"}
    # branch work: its own post answers; M1/M2 are the committee's
    assert study["first_responsible"] is None and study["directly_responsible"] is None
    assert _names(study["responsible"]) == {f"branch_secretary {slug}"}


@time_machine.travel("2026-08-10T09:00:00+08:00", tick=False)
def test_overdue_items_show_who_held_the_post_at_the_due_date(drilled):
    world = drilled
    materialised(world)
    summary = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2026H1").assert_status(200).json
    overdue = next(i for i in summary["overdue"] if i["rule"] == "drill.special_meeting")
    assert overdue["responsible_at_due"] is not None  # due in the past: the question is asked
    upcoming = calendar(world, "from=2026-12-31&to=2026-12-31&rule=drill.special_meeting").json
    assert [i["responsible_at_due"] for i in upcoming] == [None]  # not due yet


@time_machine.travel("2026-08-10T09:00:00+08:00", tick=False)
def test_responsible_filter_follows_posts_taken_and_ended(drilled):
    world = drilled
    materialised(world)
    admin = world.client("tenant_admin")
    secretary_of_branch = world.users["branch_secretary"]
    mine = calendar(world, f"{WINDOW}&responsible={secretary_of_branch}").assert_status(200)
    assert {(i["rule"], i["unit_code"]) for i in mine.json} == {
        ("drill.theory_study", "branch-1")}

    admin.delete(f"{world.base}/users/{secretary_of_branch}/positions/"
                 f"{world.positions['branch_secretary']}").assert_status(200)
    assert calendar(world, f"{WINDOW}&responsible={secretary_of_branch}").json == []

    successor = world.users["subject"]
    world.client("secretary").post(f"{world.base}/users/{successor}/positions", json={
        "role": "branch_secretary", "unit_id": str(world.units["branch-1"])}
    ).assert_status(201)
    # the new holder answers for what the post still owes, including items due before
    inherited = calendar(world, f"from=2026-01-01&to=2026-12-31&responsible={successor}").json
    assert {(i["rule"], i["unit_code"]) for i in inherited} == {
        ("drill.theory_study", "branch-1")}
    assert all(_names(i["responsible"]) == {f"subject {world.slug}"} for i in inherited)


@time_machine.travel("2026-08-10T09:00:00+08:00", tick=False)
def test_the_feed_names_post_holder_and_m1_m2(drilled):
    world = drilled
    materialised(world)
    body = world.client("secretary").get(f"{world.base}/calendar.ics?{WINDOW}").assert_status(
        200).raw.get_data()
    todos = list(Calendar.from_ical(body).walk("VTODO"))
    meeting = next(t for t in todos if "R1" in str(t["categories"].to_ical()))
    description = str(meeting["description"])
    assert f"secretary {world.slug}" in description and f"deputy {world.slug}" in description
    assert description.count("\n") >= 5  # source, counts, post, M1, M2, status


@time_machine.travel("2026-08-10T09:00:00+08:00", tick=False)
def test_the_county_sees_the_posts_never_the_names(drilled):
    world = drilled
    materialised(world)
    items = world.client("county_viewer").get(
        f"/api/v1/counties/{world.county_slug}/rollup/overdue").assert_status(200).json
    meeting = next(i for i in items if i["period"] == "2026H1")
    assert meeting["responsible_role"] == "secretary"
    assert meeting["first_responsible"]["role"] == "secretary"
    assert meeting["directly_responsible"]["role"] == "deputy"
    assert meeting["due_on"] == "2026-06-30"
    assert world.slug not in str([v for i in items for k, v in i.items() if k != "township"])
