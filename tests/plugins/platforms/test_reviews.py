"""P1: each registered channel is reviewed every quarter. The obligation belongs to the
owning unit and is fulfilled only when every channel due that quarter has a review."""

from __future__ import annotations

import time_machine

from tests.plugins.platforms.support import filing, register, review, summary_item

RULE = "platforms.register_review"
MAY = "2026-05-15T10:00:00+08:00"


def _coverage(world, quarter: str, unit: str) -> dict:
    body = world.client("office").get(
        f"{world.base}/platforms/coverage?quarter={quarter}&unit_id={world.units[unit]}")
    units = body.assert_status(200).json["units"]
    return units[0] if units else {}


@time_machine.travel(MAY, tick=False)
def test_a_unit_with_two_channels_needs_both_reviewed(world):
    """P1 "1 review of each registered platform": one of two reviews leaves it open."""
    broadcast = register(world)
    board = register(world, kind="bulletin_board")
    review(world, broadcast["id"], "2026-04-20", client="unit_head")
    item = summary_item(world, "2026Q2", RULE, "village-1")
    assert (item["status"], item["done"], item["source"]) == ("upcoming", 0, "P1")
    assert item["responsible_role"] == "unit_head"
    assert _coverage(world, "2026Q2", "village-1")["missing"] == [board["id"]]
    review(world, board["id"], "2026-05-02", client="unit_head")
    item = summary_item(world, "2026Q2", RULE, "village-1")
    assert (item["status"], item["done"]) == ("fulfilled", 1)
    assert item["fulfilled_at"].startswith("2026-05-02")  # when the last one was reviewed
    assert _coverage(world, "2026Q2", "village-1")["complete"] is True


@time_machine.travel(MAY, tick=False)
def test_editing_and_archiving_a_review_move_the_ledger(world):
    channel = register(world)
    done = review(world, channel["id"], "2026-04-20")
    assert summary_item(world, "2026Q2", RULE, "village-1")["status"] == "fulfilled"
    url = f"{world.base}/platforms/reviews/{done['id']}"
    office = world.client("office")
    moved = office.patch(url, json={"reviewed_on": "2026-03-30"},
                         headers={"If-Match": office.get(url).headers["ETag"]})
    assert moved.assert_status(200).json["quarter"] == "2026Q1"
    assert summary_item(world, "2026Q2", RULE, "village-1")["status"] == "upcoming"
    assert summary_item(world, "2026Q1", RULE, "village-1")["status"] == "fulfilled"
    office.delete(url, headers={"If-Match": office.get(url).headers["ETag"]}).assert_status(204)
    assert summary_item(world, "2026Q1", RULE, "village-1")["status"] == "overdue"
    assert office.get(url).json["archived_at"] is not None


@time_machine.travel(MAY, tick=False)
def test_suspended_and_closed_channels_need_no_review(world):
    broadcast = register(world)
    board = register(world, kind="bulletin_board")
    review(world, broadcast["id"], "2026-04-20")
    office = world.client("office")
    url = f"{world.base}/platforms/channels/{board['id']}"
    office.patch(url, json={"status": "suspended", "filing": filing("2026-05-10")},
                 headers={"If-Match": office.get(url).headers["ETag"]}).assert_status(200)
    assert summary_item(world, "2026Q2", RULE, "village-1")["status"] == "fulfilled"
    office.patch(url, json={"status": "active", "filing": filing("2026-05-14")},
                 headers={"If-Match": office.get(url).headers["ETag"]}).assert_status(200)
    assert summary_item(world, "2026Q2", RULE, "village-1")["status"] == "upcoming"
    office.post(f"{url}/closure", json={"filing": filing("2026-05-15")}).assert_status(200)
    assert summary_item(world, "2026Q2", RULE, "village-1")["status"] == "fulfilled"
    late = office.post(f"{url}/reviews", json={
        "reviewed_on": "2026-05-15", "update_frequency": "monthly", "content_checked": "x"})
    assert late.status_code == 201  # on the closing day it may still be reviewed


@time_machine.travel("2026-07-02T09:00:00+08:00", tick=False)
def test_a_missed_review_is_overdue_after_the_quarter(world):
    with time_machine.travel(MAY, tick=False):
        channel = register(world, unit="branch-1", kind="xuexi_qiangguo_group",
                           member="branch_secretary")
    item = summary_item(world, "2026Q2", RULE, "branch-1")
    assert item["status"] == "overdue" and item["responsible_role"] == "branch_secretary"
    review(world, channel["id"], "2026-07-01", client="branch_secretary")
    assert summary_item(world, "2026Q2", RULE, "branch-1")["status"] == "overdue"
    assert summary_item(world, "2026Q3", RULE, "branch-1")["status"] == "fulfilled"


@time_machine.travel(MAY, tick=False)
def test_one_review_per_channel_per_quarter_and_bad_reviews_are_refused(world):
    channel = register(world)
    url = f"{world.base}/platforms/channels/{channel['id']}/reviews"
    office = world.client("office")
    review(world, channel["id"], "2026-04-20")
    assert office.post(url, json={"reviewed_on": "2026-05-01", "update_frequency": "daily",
                                  "content_checked": "again"}).status_code == 409
    bad = [
        ({"reviewed_on": "2026-03-01", "update_frequency": "hourly", "content_checked": "x"},
         "update_frequency"),
        ({"reviewed_on": "2026-06-01", "update_frequency": "daily", "content_checked": "x"},
         "reviewed_on"),
        ({"reviewed_on": "2025-01-01", "update_frequency": "daily", "content_checked": "x"},
         "reviewed_on"),  # before the channel opened
        ({"reviewed_on": "2026-03-01", "update_frequency": "daily", "content_checked": "x",
          "rectification": "fixed"}, "problems_found"),
        ({"reviewed_on": "2026-03-01", "update_frequency": "daily"}, "content_checked"),
    ]
    for body, field in bad:
        response = office.post(url, json=body)
        assert response.status_code == 422 and field in response.json["errors"]["json"], body
    listed = office.get(f"{world.base}/platforms/reviews?channel_id={channel['id']}")
    assert len(listed.json) == 1
    assert world.client("branch_secretary").post(url, json={
        "reviewed_on": "2026-03-01", "update_frequency": "daily",
        "content_checked": "x"}).status_code == 403  # not their unit


@time_machine.travel(MAY, tick=False)
def test_problems_and_their_rectification_are_recorded(world):
    channel = register(world)
    found = review(world, channel["id"], "2026-04-20", problems_found="轉播內容未審核")
    url = f"{world.base}/platforms/reviews/{found['id']}"
    head = world.client("unit_head")
    fixed = head.patch(url, headers={"If-Match": head.get(url).headers["ETag"]}, json={
        "rectification": "建立播前審核登記", "rectified_on": "2026-05-01"}).assert_status(200)
    assert (fixed.json["rectification"], fixed.json["rectified_on"]) == (
        "建立播前審核登記", "2026-05-01")


@time_machine.travel(MAY, tick=False)
def test_archiving_a_channel_withdraws_its_reviews(world):
    channel = register(world)
    review(world, channel["id"], "2026-04-20")
    assert summary_item(world, "2026Q2", RULE, "village-1")["status"] == "fulfilled"
    office = world.client("office")
    url = f"{world.base}/platforms/channels/{channel['id']}"
    office.delete(url, headers={"If-Match": office.get(url).headers["ETag"]}).assert_status(204)
    # its only channel gone in the current quarter, the unit owes no review for it (P1)
    summary = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2026Q2").assert_status(200).json
    assert [i for i in summary["items"] if i["rule"] == RULE] == []
    assert office.get(f"{world.base}/platforms/reviews").json == []


def test_only_units_owning_a_channel_owe_a_review(world):
    """P1 reviews concern registered channels: a unit without one owes nothing."""
    summary = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2026Q3").assert_status(200).json
    assert [i for i in summary["items"] if i["rule"] == RULE] == []
