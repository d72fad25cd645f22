"""M1–M3 (issue 16, item 5): the chain of responsibility on every obligation — the first
responsible (secretary, M1) and directly responsible (deputy, M2) on committee work, and on
every unit's the leader whose division of work covers it (一崗雙責, M3); 支委 are a post."""

from __future__ import annotations

import time_machine

from tests.obligations.helpers import calendar, materialised

WINDOW = "from=2026-06-01&to=2026-12-31&page_size=100"


def _names(people) -> set[str]:
    return {person["name"] for person in people}


def _by_unit(items, rule: str) -> dict[str, dict]:
    return {i["unit_code"]: i for i in items if i["rule"] == rule}


@time_machine.travel("2026-08-10T09:00:00+08:00", tick=False)
def test_m3_portfolio_leader_is_the_member_posted_to_the_unit(drilled):
    world, slug = drilled, drilled.slug
    materialised(world)
    items = calendar(world, WINDOW).assert_status(200).json
    study = _by_unit(items, "drill.theory_study")
    assert _names(study["branch-1"]["portfolio_leader"]) == {f"member {slug}"}
    assert _names(study["branch-2"]["portfolio_leader"]) == {f"subject {slug}"}
    meeting = _by_unit(items, "drill.special_meeting")["committee"]
    assert meeting["portfolio_leader"] == []  # nobody's division of work names the committee
    assert _names(meeting["first_responsible"]) and _names(meeting["directly_responsible"])


@time_machine.travel("2026-08-10T09:00:00+08:00", tick=False)
def test_m3_division_of_work_follows_posts_and_the_nearest_covering_unit(drilled):
    """Posting the deputy as 班子成員 of the committee covers every unit without a portfolio
    of its own; ending branch-2's post hands it to the committee's."""
    world, slug = drilled, drilled.slug
    materialised(world)
    secretary = world.client("secretary")
    secretary.post(f"{world.base}/users/{world.users['deputy']}/positions", json={
        "role": "member", "unit_id": str(world.units["committee"])}).assert_status(201)
    world.client("tenant_admin").delete(
        f"{world.base}/users/{world.users['subject']}/positions/"
        f"{world.positions['subject']}").assert_status(200)
    items = calendar(world, WINDOW).assert_status(200).json
    study = _by_unit(items, "drill.theory_study")
    assert _names(study["branch-1"]["portfolio_leader"]) == {f"member {slug}"}
    assert _names(study["branch-2"]["portfolio_leader"]) == {f"deputy {slug}"}
    meeting = _by_unit(items, "drill.special_meeting")["committee"]
    assert _names(meeting["portfolio_leader"]) == {f"deputy {slug}"}


def test_m3_branch_committee_member_is_a_post_within_its_branch(drilled):
    """支委: posted to a branch by the ordinary grant, reading the catalogue's label."""
    world = drilled
    roles = world.client("secretary").get("/api/v1/catalogue/roles").assert_status(200).json
    role = next(r for r in roles if r["name"] == "branch_committee_member")
    assert role["scope"] == "unit" and "支委" in role["label"]
    world.client("tenant_admin").post(
        f"{world.base}/users/{world.users['subject']}/positions",
        json={"role": "branch_committee_member", "unit_id": str(world.units["branch-2"])},
    ).assert_status(201)
    world.client("tenant_admin").post(
        f"{world.base}/users/{world.users['subject']}/positions",
        json={"role": "branch_committee_member"}).assert_status(422)  # needs its branch
