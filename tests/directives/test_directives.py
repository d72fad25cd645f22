"""W1 督辦: a county assigns a task to its townships, each township's calendar carries it
as an obligation, a completion report fulfils it there, and the county tracks each
township's status. No other county, and no other township, sees a township's copy."""

from __future__ import annotations

import uuid

import time_machine

from zerenzhi.db.base import utcnow
from zerenzhi.obligations.periods import parse
from zerenzhi.obligations.service import summary

NOW = "2026-03-02T09:00:00+08:00"
DEADLINE = "2026-03-20T18:00:00+08:00"
AFTER = "2026-03-25T09:00:00+08:00"
RULE = "county.directive"


def _issue(world, role="county_admin", county=None, **body):
    payload = {"title": "傳達學習上級全會精神", "content": "各鄉鎮於月底前組織專題學習並報告。",
               "deadline": DEADLINE, **body}
    return world.client(role).post(
        f"/api/v1/counties/{county or world.county_slug}/directives", json=payload)


def _tracked(world, role="county_viewer"):
    return world.client(role).get(
        f"/api/v1/counties/{world.county_slug}/directives").assert_status(200).json


def _summary_items(world):
    data = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2026H1").assert_status(200).json
    return [i for i in data["items"] if i["rule"] == RULE]


def _town_items(town):
    with town.scope() as sess:
        return [i for i in summary(sess, parse("2026H1"), utcnow())["items"]
                if i["rule"] == RULE]


@time_machine.travel(NOW, tick=False)
def test_w1_a_directive_to_all_townships_opens_an_obligation_in_each(county):
    world = county.world
    created = _issue(world).assert_status(201).json
    assert created["all_townships"] and created["counts"] == {
        "townships": 2, "completed": 0, "overdue": 0, "open": 2, "cancelled": 0}
    assert {t["township"]["slug"] for t in created["townships"]} == {county.a.slug,
                                                                      county.b.slug}
    [mine] = _summary_items(world)
    assert mine["status"] == "upcoming" and mine["source"] == "W1"
    assert mine["title"] == "上级督办事项"  # the core rule's title, zh-Hans by default
    assert mine["unit_id"] == str(world.units["committee"])
    assert mine["trigger"]["type"] == "directive" and mine["trigger"]["id"] == created["id"]
    assert mine["due_at"].startswith("2026-03-20T10:00:00")
    calendar = world.client("deputy").get(
        f"{world.base}/calendar?from=2026-03-01&to=2026-03-31").assert_status(200).json
    assert [i["rule"] for i in calendar] == [RULE]
    [theirs] = _town_items(county.b)
    assert theirs["status"] == "upcoming"
    listed = world.client("viewer").get(f"{world.base}/directives").assert_status(200).json
    assert [(d["id"], d["status"], d["title"]) for d in listed] == [
        (created["id"], "open", "傳達學習上級全會精神")]


def test_w1_completion_fulfils_that_township_only_and_the_county_tracks_it(county):
    world = county.world
    with time_machine.travel(NOW, tick=False):
        directive = _issue(world).assert_status(201).json["id"]
        url = f"{world.base}/directives/{directive}"
        etag = world.client("secretary").get(url).assert_status(200).headers["ETag"]
        done = world.client("secretary").post(f"{url}/completion", json={
            "report": "已於3月10日召開專題學習會。"}).assert_status(201).json
        assert done["status"] == "completed" and done["completed_at"]
        assert world.client("secretary").get(url).headers["ETag"] != etag
        again = world.client("deputy").post(f"{url}/completion", json={"report": "再報"})
        again.assert_status(409)
        [mine] = _summary_items(world)
        assert mine["status"] == "fulfilled"
        assert mine["evidence"] == {"type": "directive_target", "id": mine["evidence"]["id"]}
        assert [i["status"] for i in _town_items(county.b)] == ["upcoming"]
    with time_machine.travel(AFTER, tick=False):
        [tracked] = _tracked(world)
        status = {t["township"]["slug"]: t for t in tracked["townships"]}
        assert status[county.a.slug]["status"] == "completed"
        assert status[county.a.slug]["report"] == "已於3月10日召開專題學習會。"
        assert status[county.b.slug] == {"township": status[county.b.slug]["township"],
                                         "status": "overdue", "completed_at": None,
                                         "report": None, "chased_at": None, "chase_count": 0,
                                         "units_required": 1, "units_fulfilled": 0,
                                         "units_waived": 0}
        assert status[county.a.slug]["units_fulfilled"] == 1
        assert tracked["counts"] == {"townships": 2, "completed": 1, "overdue": 1, "open": 0,
                                     "cancelled": 0}
        assert [i["status"] for i in _town_items(county.b)] == ["overdue"]
        overdue = world.client("secretary").get(
            f"{world.base}/directives?status=overdue").assert_status(200).json
        assert overdue == []


@time_machine.travel(NOW, tick=False)
def test_w1_selected_townships_only_and_bad_targets_write_nothing(county):
    world, other = county.world, county.other
    created = _issue(world, townships=[county.b.slug]).assert_status(201).json
    assert not created["all_townships"] and created["counts"]["townships"] == 1
    # township A was not targeted: it has no copy, and B's copy is not its to read
    client = world.client("secretary")
    assert client.get(f"{world.base}/directives").json == []
    missing = client.get(f"{world.base}/directives/{created['id']}").assert_status(404)
    made_up = client.get(f"{world.base}/directives/{uuid.uuid4()}").assert_status(404)
    assert missing.json == made_up.json
    client.post(f"{world.base}/directives/{created['id']}/completion",
                json={"report": "x"}).assert_status(404)
    assert _summary_items(world) == []
    # another county's township, unknown slugs, naive or past deadlines: 422, nothing kept
    for body, field in (({"townships": [other.slug]}, "townships"),
                        ({"townships": ["no-such-town"]}, "townships"),
                        ({"townships": []}, "townships"),
                        ({"deadline": "2026-03-20T18:00:00"}, "deadline"),
                        ({"deadline": "2026-03-01T18:00:00+08:00"}, "deadline"),
                        ({"title": ""}, "title")):
        response = _issue(world, **body).assert_status(422)
        assert field in response.json["errors"]["json"], body
    assert len(_tracked(world)) == 1
    assert [i["status"] for i in _town_items(county.b)] == ["upcoming"]


@time_machine.travel(NOW, tick=False)
def test_w1_another_county_never_sees_a_directive(county):
    world, other = county.world, county.other
    created = _issue(world).assert_status(201).json
    for role in ("county_viewer", "county_admin"):
        other.client(role).get(
            f"/api/v1/counties/{world.county_slug}/directives").assert_status(404)
        assert other.client(role).get(
            f"/api/v1/counties/{other.county_slug}/directives").assert_status(200).json == []
    _issue(other, county=world.county_slug).assert_status(404)
    theirs = other.client("secretary")
    assert theirs.get(f"{other.base}/directives").assert_status(200).json == []
    theirs.get(f"{other.base}/directives/{created['id']}").assert_status(404)
    theirs.get(f"{world.base}/directives").assert_status(404)
    assert _summary_items(other) == []


@time_machine.travel(NOW, tick=False)
def test_permissions_per_role(county):
    world = county.world
    _issue(world, role="county_viewer").assert_status(403)
    for role in ("secretary", "tenant_admin"):
        _issue(world, role=role).assert_status(404)  # township staff: no such county here
    directive = _issue(world).assert_status(201).json["id"]
    url = f"{world.base}/directives/{directive}/completion"
    for role in ("member", "branch_secretary", "unit_head", "viewer", "tenant_admin"):
        world.client(role).get(f"{world.base}/directives").assert_status(200)
        world.client(role).post(url, json={"report": "辦結"}).assert_status(403)
    world.client("office").post(url, json={"report": "辦結"}).assert_status(201)
    for role in ("county_viewer", "county_admin"):
        world.client(role).get(f"{world.base}/directives").assert_status(404)


def test_the_rule_is_core_and_townships_cannot_switch_it_off(app, township):
    """``county.directive`` comes with every app (no plugin enables it); the township's
    rules API lists and changes its modules' rules only, so it 404s here."""
    rule = app.extensions["zerenzhi"].rules.get(RULE)
    assert rule is not None and rule.source == "W1" and rule.cadence == "event"
    client = township.client("secretary")
    client.patch(f"{township.base}/rules/{RULE}", json={"enabled": False}).assert_status(404)
