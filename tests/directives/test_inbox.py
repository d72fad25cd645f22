"""R1, R3, P2: what a township deliberately sends upward reaches its county's inbox;
county staff acknowledge it (written on the township's row, in its scope) and the
township sees the acknowledgement. Another county sees nothing of it."""

from __future__ import annotations

import uuid

import pytest

from zerenzhi.db.session import session
from zerenzhi.directives.service import send_upward
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant

BODY = "上半年意識形態工作情況報告正文"


def _send(town, source_id=None, title="2026年上半年意識形態工作報告", body=BODY):
    with town.scope() as sess:
        item = send_upward(sess, "reporting.half_year_report", title, body,
                           "reporting.report", source_id or uuid.uuid4())
        sess.commit()
        return str(item.id)


def _inbox(world, role="county_viewer", query=""):
    return world.client(role).get(
        f"/api/v1/counties/{world.county_slug}/inbox{query}").assert_status(200)


def _ack_url(world, item_id, county=None):
    return f"/api/v1/counties/{county or world.county_slug}/inbox/{item_id}/acknowledgement"


def test_r1_send_list_acknowledge_and_the_township_sees_it(county):
    world = county.world
    item_id = _send(county.a)
    _send(county.b, title="乙鎮報告")
    listed = _inbox(world)
    assert listed.headers["X-Pagination"]
    by_id = {i["id"]: i for i in listed.json}
    assert len(by_id) == 2 and by_id[item_id]["body"] == BODY
    assert by_id[item_id]["township"]["slug"] == county.a.slug
    assert by_id[item_id]["acknowledged_at"] is None
    world.client("county_viewer").post(_ack_url(world, item_id),
                                       json={"note": "已閱"}).assert_status(403)
    world.client("county_admin").post(_ack_url(world, item_id), json={}).assert_status(422)
    acked = world.client("county_admin").post(_ack_url(world, item_id),
                                              json={"note": "已閱，請繼續落實"})
    assert acked.assert_status(201).json["acknowledged_at"]
    world.client("county_admin").post(_ack_url(world, item_id),
                                      json={"note": "again"}).assert_status(409)
    assert [i["id"] for i in _inbox(world, query="?acknowledged=false").json] != [item_id]
    assert [i["id"] for i in _inbox(world, query="?acknowledged=true").json] == [item_id]
    [sent] = world.client("viewer").get(f"{world.base}/outbox").assert_status(200).json
    assert sent["acknowledged"] is True and sent["acknowledgement_note"] == "已閱，請繼續落實"
    # the township's own audit log records who acknowledged its report
    audit = world.client("secretary").get(f"{world.base}/audit").assert_status(200)
    assert "inbox_item.update" in audit.raw.get_data(as_text=True)


def test_r1_sending_again_asks_for_a_new_acknowledgement(county):
    world = county.world
    source = uuid.uuid4()
    item_id = _send(county.a, source)
    world.client("county_admin").post(_ack_url(world, item_id),
                                      json={"note": "已閱"}).assert_status(201)
    assert _send(county.a, source, body="修訂版") == item_id
    [sent] = world.client("secretary").get(f"{world.base}/outbox").json
    assert sent["acknowledged"] is False and sent["body"] == "修訂版"


def test_another_county_neither_reads_nor_acknowledges(county):
    world, other = county.world, county.other
    item_id = _send(county.a)
    for role in ("county_viewer", "county_admin"):
        other.client(role).get(f"/api/v1/counties/{world.county_slug}/inbox").assert_status(404)
        assert _inbox(other, role).json == []
    admin = other.client("county_admin")
    admin.post(_ack_url(world, item_id), json={"note": "x"}).assert_status(404)
    foreign = admin.post(_ack_url(other, item_id), json={"note": "x"}).assert_status(404)
    made_up = admin.post(_ack_url(other, uuid.uuid4()), json={"note": "x"}).assert_status(404)
    assert foreign.json == made_up.json
    assert other.client("secretary").get(f"{other.base}/outbox").json == []
    world.client("secretary").get(f"{other.base}/outbox").assert_status(404)
    [sent] = world.client("secretary").get(f"{world.base}/outbox").json
    assert sent["acknowledged"] is False


def test_only_a_township_sends_upward(app, county):
    with app.app_context():
        sess = session()
        county_ref = sess.get(Tenant, county.world.county_id).ref()
        with tenant_scope(county_ref), pytest.raises(ValueError):
            send_upward(sess, "x", "t", "b", "s", "1")


def test_one_report_reads_alone_with_its_deadline_and_foreign_ones_404(county):
    world, other = county.world, county.other
    item_id = _send(county.a)
    url = f"/api/v1/counties/{world.county_slug}/inbox/{item_id}"
    item = world.client("county_viewer").get(url).assert_status(200).json
    assert item["body"] == BODY and item["township"]["slug"] == county.a.slug
    assert item["due_at"] is None and item["late"] is False  # it fulfils no obligation
    listed = _inbox(world, query="?kind=reporting.half_year_report").json
    assert [i["id"] for i in listed] == [item_id] and _inbox(world, query="?kind=x").json == []
    foreign = other.client("county_viewer").get(
        f"/api/v1/counties/{other.county_slug}/inbox/{item_id}").assert_status(404)
    unknown = other.client("county_viewer").get(
        f"/api/v1/counties/{other.county_slug}/inbox/{uuid.uuid4()}").assert_status(404)
    assert foreign.json == unknown.json


def test_a_module_page_reads_its_receipt_through_the_face(county):
    """``upward_receipt`` (the face): whether the county received what a record sent up."""
    from zerenzhi import upward_receipt

    world, source = county.world, uuid.uuid4()
    item_id = _send(county.a, source)
    with county.a.scope() as sess:
        sent = upward_receipt(sess, "reporting.report", source)
        assert sent["sent_at"] and sent["acknowledged_at"] is None
        assert upward_receipt(sess, "reporting.report", uuid.uuid4()) is None
    world.client("county_admin").post(_ack_url(world, item_id),
                                      json={"note": "已閱"}).assert_status(201)
    with county.a.scope() as sess:
        acked = upward_receipt(sess, "reporting.report", source)
        assert acked["acknowledged_at"] and acked["acknowledgement_note"] == "已閱"
    with county.b.scope() as sess:  # another township's record: nothing
        assert upward_receipt(sess, "reporting.report", source) is None
