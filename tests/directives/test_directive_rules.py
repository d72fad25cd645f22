"""W1 督辦, the second kind: an extra rule for a period ("every branch holds two extra
safety-study sessions in 2026H2"). Each target township gets one obligation per unit of
the kinds, in its units' calendars; units record progress that fulfils them; the county
tracks units required and fulfilled per township, and never reads the reports' notes."""

from __future__ import annotations

import uuid

import time_machine
from sqlalchemy import select

from zerenzhi.db.base import utcnow
from zerenzhi.db.session import session
from zerenzhi.directives.models import Directive, DirectiveReport
from zerenzhi.obligations.periods import parse
from zerenzhi.obligations.service import summary
from zerenzhi.tenancy.context import county_read_scope
from zerenzhi.tenancy.models import Tenant

NOW = "2026-08-03T09:00:00+08:00"
AFTER = "2027-01-05T09:00:00+08:00"
RULE = "county.directive"
NOTE = "PRIVATE-NOTE 支部安全學習記錄"


def _issue(world, role="county_admin", **body):
    payload = {"kind": "rule", "title": "增加兩次安全專題學習",
               "content": "各支部下半年增加兩次安全專題學習。", "period": "2026H2",
               "applies_to": ["branch"], "min_count": 2, **body}
    payload = {k: v for k, v in payload.items() if v is not None}  # None: leave it out
    return world.client(role).post(
        f"/api/v1/counties/{world.county_slug}/directives", json=payload)


def _county_view(world, directive_id, role="county_viewer"):
    return world.client(role).get(
        f"/api/v1/counties/{world.county_slug}/directives/{directive_id}").assert_status(200)


def _by_town(view):
    return {t["township"]["slug"]: t for t in view["townships"]}


def _items(world, period="2026H2"):
    data = world.client("secretary").get(
        f"{world.base}/obligations/summary?period={period}").assert_status(200).json
    return {i["unit_id"]: i for i in data["items"] if i["rule"] == RULE}


def _town_items(town, period="2026H2"):
    with town.scope() as sess:
        return [i for i in summary(sess, parse(period), utcnow())["items"] if i["rule"] == RULE]


def _report(world, directive_id, unit, role="secretary", at="2026-07-15T15:00:00+08:00",
            **body):
    return world.client(role).post(
        f"{world.base}/directives/{directive_id}/reports",
        json={"unit_id": str(world.units[unit]), "occurred_at": at, "note": NOTE, **body})


@time_machine.travel(NOW, tick=False)
def test_w1_a_rule_opens_one_obligation_per_unit_of_its_kinds(county):
    world = county.world
    created = _issue(world).assert_status(201).json
    assert (created["kind"], created["period"], created["min_count"]) == ("rule", "2026H2", 2)
    assert (created["period_start"], created["period_end"]) == ("2026-07-01", "2026-12-31")
    assert created["applies_to"] == ["branch"]
    assert created["deadline"].startswith("2026-12-31T16:00:00")  # 1 Jan 00:00 in Shanghai
    assert created["counts"] == {"townships": 2, "completed": 0, "overdue": 0, "open": 2,
                                 "cancelled": 0}
    for row in created["townships"]:
        assert (row["status"], row["units_required"], row["units_fulfilled"]) == ("open", 2, 0)
    items = _items(world)
    assert set(items) == {str(world.units["branch-1"]), str(world.units["branch-2"])}
    for item in items.values():
        assert (item["required"], item["done"], item["status"]) == (2, 0, "upcoming")
        assert item["responsible_role"] == "branch_secretary" and item["source"] == "W1"
        assert (item["period_start"], item["period_end"]) == ("2026-07-01", "2026-12-31")
        assert item["due_at"].startswith("2026-12-31T16:00:00")
        assert item["trigger"]["id"] == created["id"]
    # the whole-year summary and the calendar carry it too; other periods do not
    assert len(_items(world, "2026")) == 2 and _items(world, "2026H1") == {}
    calendar = world.client("secretary").get(
        f"{world.base}/calendar?from=2026-12-01&to=2027-01-01").assert_status(200).json
    assert sorted(i["unit_code"] for i in calendar if i["rule"] == RULE) == [
        "branch-1", "branch-2"]
    assert sorted(i["required"] for i in _town_items(county.b)) == [2, 2]
    mine = world.client("viewer").get(
        f"{world.base}/directives/{created['id']}").assert_status(200).json
    assert (mine["kind"], mine["status"], mine["period"]) == ("rule", "open", "2026H2")
    assert mine["progress"] == {"units": 2, "fulfilled": 0, "waived": 0}
    assert [(u["unit_code"], u["required"], u["done"]) for u in mine["units"]] == [
        ("branch-1", 2, 0), ("branch-2", 2, 0)]


def test_w1_progress_reports_fulfil_units_and_the_county_tracks_townships(county):
    world = county.world
    with time_machine.travel(NOW, tick=False):
        directive = _issue(world).assert_status(201).json["id"]
        own = _report(world, directive, "branch-1", role="branch_secretary").assert_status(201)
        assert own.json["note"] == NOTE and own.json["unit_id"] == str(world.units["branch-1"])
        _report(world, directive, "branch-2", role="branch_secretary").assert_status(403)
        _report(world, directive, "branch-1", role="branch_secretary",
                at="2026-08-01T10:00:00+08:00").assert_status(201)
        _report(world, directive, "branch-2").assert_status(201)
        items = _items(world)
        first, second = items[str(world.units["branch-1"])], items[str(world.units["branch-2"])]
        assert (first["status"], first["done"]) == ("fulfilled", 2)
        assert first["evidence"]["type"] == "directive_report"
        assert (second["status"], second["done"]) == ("upcoming", 1)
        row = _by_town(_county_view(world, directive).json)[county.a.slug]
        assert (row["status"], row["units_required"], row["units_fulfilled"]) == ("open", 2, 1)
        last = _report(world, directive, "branch-2").assert_status(201).json
        view = _county_view(world, directive).json
        assert _by_town(view)[county.a.slug]["status"] == "completed"
        assert _by_town(view)[county.a.slug]["units_fulfilled"] == 2
        assert view["counts"] == {"townships": 2, "completed": 1, "overdue": 0, "open": 1,
                                  "cancelled": 0}
        client = world.client("secretary")
        done = client.get(f"{world.base}/directives?status=completed").assert_status(200).json
        assert [d["id"] for d in done] == [directive]
        assert client.get(f"{world.base}/directives?status=open").json == []
        # archiving a report (If-Match) withdraws it: the unit and the township reopen
        url = f"{world.base}/directives/{directive}/reports/{last['id']}"
        etag = client.get(url).assert_status(200).headers["ETag"]
        client.delete(url, headers={"If-Match": etag}).assert_status(204)
        assert _items(world)[str(world.units["branch-2"])]["done"] == 1
        assert _by_town(_county_view(world, directive).json)[county.a.slug]["status"] == "open"
        listed = client.get(f"{world.base}/directives/{directive}/reports").json
        assert len(listed) == 3 and last["id"] not in {r["id"] for r in listed}
        archived = client.get(
            f"{world.base}/directives/{directive}/reports?include_archived=true").json
        assert len(archived) == 4
        audit = client.get(f"{world.base}/audit").assert_status(200).raw.get_data(as_text=True)
        assert "directive_report.create" in audit and "directive_report.archive" in audit
        _report(world, directive, "branch-2", at="2026-07-20T10:00:00+08:00").assert_status(201)
    with time_machine.travel(AFTER, tick=False):
        view = _county_view(world, directive).json
        rows = _by_town(view)
        assert rows[county.a.slug]["status"] == "completed"
        assert (rows[county.b.slug]["status"], rows[county.b.slug]["units_fulfilled"]) == (
            "overdue", 0)
        assert view["counts"] == {"townships": 2, "completed": 1, "overdue": 1, "open": 0,
                                  "cancelled": 0}
        assert [i["status"] for i in _town_items(county.b)] == ["overdue", "overdue"]
        listed = world.client("county_viewer").get(
            f"/api/v1/counties/{world.county_slug}/directives").assert_status(200).json
        assert _by_town(listed[0]) == rows
        # the county saw counts and statuses, never the units' notes
        assert NOTE not in str(view) and NOTE not in str(listed)


@time_machine.travel(NOW, tick=False)
def test_w1_bad_rules_are_refused_and_write_nothing(county):
    world, other = county.world, county.other
    for body, field in (({"kind": "weekly"}, "kind"),
                        ({"period": "2026H3"}, "period"),
                        ({"period": "2026H1"}, "period"),  # already ended on 3 August
                        ({"period": "2025"}, "period"),
                        ({"applies_to": ["village"]}, "applies_to"),  # township B has none
                        ({"applies_to": ["cottage"]}, "applies_to"),
                        ({"applies_to": []}, "applies_to"),
                        ({"min_count": 0}, "min_count"),
                        ({"min_count": 101}, "min_count"),
                        ({"min_count": None}, "min_count"),  # missing
                        ({"townships": ["no-such-town"]}, "townships"),
                        ({"townships": [other.slug]}, "townships"),
                        ({"deadline": "2026-09-30T18:00:00+08:00"}, "deadline")):
        response = _issue(world, **body).assert_status(422)
        assert field in response.json["errors"]["json"], body
    # a task with a rule's terms, or a rule's terms without kind: refused, not ignored
    task = _issue(world, kind="task", deadline="2026-09-30T18:00:00+08:00")
    assert {"period", "applies_to", "min_count"} <= set(task.assert_status(422).json[
        "errors"]["json"])
    assert world.client("county_viewer").get(
        f"/api/v1/counties/{world.county_slug}/directives").json == []
    assert _items(world) == {} and _town_items(county.b) == []
    with world.app.app_context():
        sess = session()
        with county_read_scope(sess.get(Tenant, world.county_id).ref()):
            assert sess.scalars(select(Directive)).all() == []


@time_machine.travel(NOW, tick=False)
def test_w1_only_reports_that_fit_the_rule_count(county):
    world, other = county.world, county.other
    directive = _issue(world).assert_status(201).json["id"]
    task = _issue(world, kind="task", deadline="2026-09-30T18:00:00+08:00", period=None,
                  applies_to=None, min_count=None).assert_status(201).json["id"]
    cases = ((_report(world, directive, "branch-1", at="2026-06-30T10:00:00+08:00"),
              "occurred_at"),
             (_report(world, directive, "branch-1", at="2026-08-04T10:00:00+08:00"),
              "occurred_at"),
             (_report(world, directive, "village-1"), "unit_id"),
             (_report(world, directive, "branch-1", note="x" * 2001), "note"),
             (_report(world, directive, "branch-1", at="2026-07-15T15:00:00"), "occurred_at"))
    for response, field in cases:
        assert field in response.assert_status(422).json["errors"]["json"], field
    foreign = world.client("secretary").post(
        f"{world.base}/directives/{directive}/reports",
        json={"unit_id": str(other.units["branch-1"]), "occurred_at": "2026-07-15T15:00:00Z"})
    made_up = world.client("secretary").post(
        f"{world.base}/directives/{directive}/reports",
        json={"unit_id": str(uuid.uuid4()), "occurred_at": "2026-07-15T15:00:00Z"})
    assert foreign.assert_status(422).json == made_up.assert_status(422).json
    # each kind is closed its own way: a rule by reports, a task by its completion report
    world.client("secretary").post(f"{world.base}/directives/{directive}/completion",
                                   json={"report": "辦結"}).assert_status(422)
    on_task = _report(world, task, "branch-1").assert_status(422)
    assert "_schema" in on_task.json["errors"]["json"]
    for role in ("viewer", "tenant_admin"):
        _report(world, directive, "branch-1", role=role).assert_status(403)
    _report(world, directive, "branch-1", role="unit_head").assert_status(403)  # not theirs
    assert world.client("secretary").get(
        f"{world.base}/directives/{directive}/reports").json == []
    assert {i["done"] for i in _items(world).values()} == {0}


@time_machine.travel(NOW, tick=False)
def test_w1_a_task_is_still_the_default_and_one_directive_reads_alone(county):
    world = county.world
    client = world.client("county_admin")
    url = f"/api/v1/counties/{world.county_slug}/directives"
    body = {"title": "報送材料", "content": "月底前報送。", "deadline": "2026-09-30T18:00:00+08:00"}
    first = client.post(url, json=body, headers={"Idempotency-Key": "task-1"})
    again = client.post(url, json=body, headers={"Idempotency-Key": "task-1"})
    assert first.assert_status(201).json == again.assert_status(201).json
    task = first.json
    assert (task["kind"], task["period"], task["min_count"]) == ("task", None, None)
    row = task["townships"][0]  # a task is owed by one unit, the township's committee
    assert (row["units_required"], row["units_fulfilled"]) == (1, 0)
    one = _county_view(world, task["id"]).json
    assert one["id"] == task["id"] and one["counts"]["townships"] == 2
    assert len(client.get(url).json) == 1
    client.get(f"{url}/{uuid.uuid4()}").assert_status(404)
    other = county.other
    theirs = _issue(other).assert_status(201).json["id"]
    foreign = client.get(f"{url}/{theirs}").assert_status(404)
    assert foreign.json == client.get(f"{url}/{uuid.uuid4()}").json
    other.client("county_viewer").get(f"{url}/{task['id']}").assert_status(404)
    mine = world.client("secretary").get(f"{world.base}/directives?kind=task").json
    assert [d["id"] for d in mine] == [task["id"]]
    assert "progress" not in mine[0] and mine[0]["status"] == "open"


@time_machine.travel(NOW, tick=False)
def test_w1_reports_stay_in_their_township(county):
    world, other = county.world, county.other
    directive = _issue(world).assert_status(201).json["id"]
    theirs = _issue(other).assert_status(201).json["id"]
    _report(world, directive, "branch-1").assert_status(201)
    client = other.client("secretary")
    client.get(f"{other.base}/directives/{directive}").assert_status(404)
    client.get(f"{other.base}/directives/{directive}/reports").assert_status(404)
    client.get(f"{world.base}/directives/{directive}/reports").assert_status(404)
    assert client.get(f"{other.base}/directives/{theirs}/reports").json == []
    with county.b.scope() as sess:  # township B of the same county sees none of A's
        assert sess.scalars(select(DirectiveReport)).all() == []
    # the county's read scope does not reach the reports: only the counts go upward
    with world.app.app_context():
        sess = session()
        with county_read_scope(sess.get(Tenant, world.county_id).ref()):
            assert sess.scalars(select(DirectiveReport)).all() == []
    for role in ("county_viewer", "county_admin"):
        world.client(role).get(
            f"{world.base}/directives/{directive}/reports").assert_status(404)
    with county.a.scope() as sess:
        [report] = sess.scalars(select(DirectiveReport)).all()
        assert report.note == NOTE
