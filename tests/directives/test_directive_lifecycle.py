"""W1 督辦 after issue: the county chases an overdue township (a reminder recorded on its
copy and sent to its office as an event), cancels a directive (unfinished copies cancelled,
what they owe archived, completed ones kept) and archives a finished one (If-Match; kept).
Every write audited; another county reaches none of it."""

from __future__ import annotations

import uuid

import time_machine

from tests.directives.test_directives import AFTER, NOW, _issue, _summary_items, _town_items


def _url(world, directive, tail=""):
    return f"/api/v1/counties/{world.county_slug}/directives/{directive}{tail}"


def _chase_url(world, directive, slug):
    return _url(world, directive, f"/townships/{slug}/reminders")


def _issued_and_one_done(county) -> str:
    world = county.world
    with time_machine.travel(NOW, tick=False):
        directive = _issue(world).assert_status(201).json["id"]
        world.client("office").post(f"{world.base}/directives/{directive}/completion",
                                    json={"report": "已辦結"}).assert_status(201)
    return directive


def test_w1_chase_an_overdue_township_records_and_notifies(county, monkeypatch):
    world = county.world
    sent = []
    monkeypatch.setattr("zerenzhi.directives.service.emit",
                        lambda _s, name, **data: sent.append((name, data)))
    directive = _issued_and_one_done(county)
    admin = world.client("county_admin")
    with time_machine.travel(NOW, tick=False):  # not overdue yet: nothing to chase
        admin.post(_chase_url(world, directive, county.b.slug)).assert_status(409)
    with time_machine.travel(AFTER, tick=False):
        admin.post(_chase_url(world, directive, county.a.slug)).assert_status(409)  # done
        world.client("county_viewer").post(
            _chase_url(world, directive, county.b.slug)).assert_status(403)
        row = admin.post(_chase_url(world, directive, county.b.slug)).assert_status(201).json
        assert row["status"] == "overdue" and row["chase_count"] == 1 and row["chased_at"]
        again = admin.post(_chase_url(world, directive, county.b.slug)).assert_status(201)
        assert again.json["chase_count"] == 2
        admin.post(_chase_url(world, directive, "no-such-town")).assert_status(404)
        admin.post(_chase_url(world, uuid.uuid4(), county.b.slug)).assert_status(404)
        view = admin.get(_url(world, directive)).assert_status(200).json
        by_town = {t["township"]["slug"]: t for t in view["townships"]}
        assert by_town[county.b.slug]["chase_count"] == 2
        assert by_town[county.a.slug]["chase_count"] == 0
    assert [name for name, _data in sent] == ["directive.chased"] * 2
    data = sent[0][1]
    assert data["directive_id"] == directive and data["responsible_role"] == "office"
    assert data["days_overdue"] == 4 and data["chase_count"] == 1
    # another county: the same 404 as an unknown directive
    other = county.other.client("county_admin")
    other.post(_chase_url(world, directive, county.b.slug)).assert_status(404)
    foreign = other.post(f"/api/v1/counties/{county.other.county_slug}/directives/"
                         f"{directive}/townships/{county.b.slug}/reminders").assert_status(404)
    unknown = other.post(f"/api/v1/counties/{county.other.county_slug}/directives/"
                         f"{uuid.uuid4()}/townships/{county.b.slug}/reminders")
    assert foreign.json == unknown.assert_status(404).json


def test_w1_cancel_withdraws_unfinished_copies_and_keeps_completed_ones(county):
    world = county.world
    directive = _issued_and_one_done(county)
    admin = world.client("county_admin")
    with time_machine.travel(NOW, tick=False):
        world.client("county_viewer").post(_url(world, directive, "/cancellation")
                                           ).assert_status(403)
        cancelled = admin.post(_url(world, directive, "/cancellation")).assert_status(201).json
        assert cancelled["cancelled_at"]
        assert cancelled["counts"] == {"townships": 2, "completed": 1, "overdue": 0, "open": 0,
                                       "cancelled": 1}
        again = admin.post(_url(world, directive, "/cancellation")).assert_status(201).json
        assert again == cancelled  # idempotent: the same answer
        assert _town_items(county.b) == []  # nothing owed there any more
        assert [i["status"] for i in _summary_items(world)] == ["fulfilled"]
    with time_machine.travel(AFTER, tick=False):
        b_url = f"{world.base}/directives/{directive}"
        assert world.client("secretary").get(b_url).json["status"] == "completed"
        admin.post(_chase_url(world, directive, county.b.slug)).assert_status(409)
    b = county.b
    with b.scope() as sess:
        from zerenzhi.directives.models import DirectiveTarget
        [copy] = sess.query(DirectiveTarget).all()
        assert copy.status == "cancelled"
    audit = world.client("county_admin").get(
        f"/api/v1/counties/{world.county_slug}/audit")
    if audit.status_code == 200:
        assert "directive.update" in audit.raw.get_data(as_text=True)


def test_w1_a_cancelled_task_takes_no_completion(county):
    world = county.world
    with time_machine.travel(NOW, tick=False):
        directive = _issue(world).assert_status(201).json["id"]
        world.client("county_admin").post(_url(world, directive, "/cancellation")
                                          ).assert_status(201)
        url = f"{world.base}/directives/{directive}"
        assert world.client("secretary").get(url).json["status"] == "cancelled"
        listed = world.client("secretary").get(f"{world.base}/directives?status=cancelled")
        assert [d["id"] for d in listed.json] == [directive]
        assert world.client("secretary").get(f"{world.base}/directives?status=open").json == []
        world.client("office").post(f"{url}/completion",
                                    json={"report": "x"}).assert_status(409)


def test_w1_archive_only_a_finished_directive_with_if_match(county):
    world = county.world
    directive = _issued_and_one_done(county)
    admin = world.client("county_admin")
    with time_machine.travel(NOW, tick=False):
        etag = admin.get(_url(world, directive)).assert_status(200).headers["ETag"]
        admin.delete(_url(world, directive)).assert_status(428)
        admin.delete(_url(world, directive), headers={"If-Match": etag}).assert_status(409)
        world.client("county_viewer").delete(_url(world, directive),
                                             headers={"If-Match": etag}).assert_status(403)
        admin.post(_url(world, directive, "/cancellation")).assert_status(201)
        admin.delete(_url(world, directive), headers={"If-Match": etag}).assert_status(412)
        etag = admin.get(_url(world, directive)).headers["ETag"]
        county.other.client("county_admin").delete(
            _url(world, directive), headers={"If-Match": etag}).assert_status(404)
        admin.delete(_url(world, directive), headers={"If-Match": etag}).assert_status(204)
        admin.get(_url(world, directive)).assert_status(404)
        listed = admin.get(f"/api/v1/counties/{world.county_slug}/directives").json
        assert listed == []
        # the townships keep their copies: history, not deletion
        assert world.client("secretary").get(
            f"{world.base}/directives/{directive}").assert_status(200).json["status"] == (
            "completed")
