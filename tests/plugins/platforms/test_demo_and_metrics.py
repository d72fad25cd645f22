"""The demo township's register, reviews and incident, and the county roll-up numbers
(counts and rates only)."""

from __future__ import annotations

import time_machine

from tests.plugins.platforms.support import at, register, review

NOW = "2026-11-26T10:00:00+08:00"


def _metric(world, key: str, period: str):
    from zerenzhi import parse_period

    compute = world.app.extensions["zerenzhi"].metrics[key][1].compute
    with world.scope() as sess:
        return compute(sess, parse_period(period))


@time_machine.travel(NOW, tick=False)
def test_roll_up_metrics_count_major_incidents_and_review_rate(world):
    assert _metric(world, "platforms.review_rate", "2026") is None  # nothing registered
    channel = register(world)
    for day in ("2026-02-10", "2026-05-10", "2026-08-10"):
        review(world, channel["id"], day)
    assert _metric(world, "platforms.review_rate", "2026") == 0.75  # Q4 not yet reviewed
    assert _metric(world, "platforms.review_rate", "2026H1") == 1.0
    office = world.client("office")
    for severity in ("major", "minor", "especially_major"):
        office.post(f"{world.base}/platforms/incidents", json={
            "unit_id": str(world.units["village-1"]), "title": "x", "category": "opinion",
            "severity": severity, "description": "x",
            "detected_at": at("2026-11-20")}).assert_status(201)
    assert _metric(world, "platforms.incidents_major", "2026H2") == 2
    assert _metric(world, "platforms.incidents_major", "2026H1") == 0


@time_machine.travel(NOW, tick=False)
def test_demo_data_shows_reviews_gaps_and_a_late_first_report(world):
    from zerenzhi.plugins.platforms.demo import fill

    with world.scope() as sess:
        fill(sess, {"report_from_severity": "major"})
        sess.commit()
        fill(sess, {"report_from_severity": "major"})  # second apply: skipped
        sess.commit()
    client = world.client("secretary")
    channels = client.get(f"{world.base}/platforms/channels?include_archived=true&"
                          "page_size=100").json
    assert {c["status"] for c in channels} == {"active", "closed"}
    # the committee 2, the office 1, two branches, the village 2, the station 1
    assert len([c for c in channels if c["status"] == "active"]) == 8
    summary = client.get(f"{world.base}/obligations/summary?period=2026").json
    reviews = [i for i in summary["items"] if i["rule"] == "platforms.register_review"]
    statuses = {i["status"] for i in reviews}
    assert {"fulfilled", "overdue"} <= statuses
    village = next(i for i in reviews if i["unit_code"] == "village-1" and
                   i["period"] == "2026Q2")
    assert village["status"] == "overdue"  # the township's third village is village-1 here
    incidents = client.get(f"{world.base}/platforms/incidents").json
    major = next(i for i in incidents if i["severity"] == "major")
    assert major["status"] == "closed" and major["report"]["state"] == "late"
    timeline = client.get(f"{world.base}/platforms/incidents/{major['id']}/timeline").json
    assert {"handling", "liaison", "report"} == {e["kind"] for e in timeline}
    assert _metric(world, "platforms.incidents_major", "2026") == 1
    assert 0 < _metric(world, "platforms.review_rate", "2026") < 1
