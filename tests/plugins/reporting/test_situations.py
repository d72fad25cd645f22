"""Major situations (R3): recording one starts the deadline; the report with proposals
fulfils it; a late report is shown as late, never hidden."""

from __future__ import annotations

import datetime as dt

import time_machine

from tests.plugins.reporting.helpers import patch

RULE = "reporting.major_situation"
AT = "2026-05-01T08:00:00+08:00"


def _obligation(world, obligation_id: str) -> dict:
    summary = world.client("secretary").get(
        f"{world.base}/obligations/summary?period=2026H1").assert_status(200).json
    return next(i for i in summary["items"] if i["id"] == obligation_id)


def _report(**extra) -> dict:
    return {"content": "某村出現不實網絡信息，已核實處置。",
            "proposals": "建議加強網評員隊伍建設。", **extra}


def test_a_report_within_24_hours_fulfils_r3(reported):
    office = reported.client("office")
    with time_machine.travel(AT, tick=False):
        situation = office.post(f"{reported.base}/reporting/situations", json={
            "title": "網上出現涉鎮負面輿情", "description": "……"}).assert_status(201).json
        assert situation["status"] == "awaiting_report"
        assert dt.datetime.fromisoformat(situation["due_at"]) == dt.datetime.fromisoformat(
            "2026-05-02T08:00:00+08:00")
        obligation = _obligation(reported, situation["obligation_id"])
        assert (obligation["rule"], obligation["source"], obligation["trigger"]["type"]) == (
            RULE, "R3", "reporting.situation")
    with time_machine.travel("2026-05-01T20:00:00+08:00", tick=False):
        url = f"{reported.base}/reporting/situations/{situation['id']}"
        report = office.post(f"{url}/reports", json=_report()).assert_status(201).json
        assert (report["late"], report["recipient"]) == (False, "上級黨委")
        assert office.get(url).json["status"] == "reported"
        assert _obligation(reported, situation["obligation_id"])["status"] == "fulfilled"


def test_a_late_report_stays_visible_as_late(reported):
    office = reported.client("office")
    with time_machine.travel(AT, tick=False):
        situation = office.post(f"{reported.base}/reporting/situations",
                                json={"title": "重大情況"}).json
    url = f"{reported.base}/reporting/situations/{situation['id']}"
    with time_machine.travel("2026-05-03T08:00:00+08:00", tick=False):
        assert office.get(url).json["status"] == "overdue"
        assert _obligation(reported, situation["obligation_id"])["status"] == "overdue"
        report = office.post(f"{url}/reports", json=_report()).assert_status(201).json
        assert report["late"] is True
        shown = office.get(url).json
        assert shown["status"] == "reported_late"
        obligation = _obligation(reported, situation["obligation_id"])
    assert obligation["status"] == "fulfilled"
    assert obligation["fulfilled_at"] > obligation["due_at"]  # late, and shown as late
    patch(office, url, {"title": "重大情況（更正）"}).assert_status(200)
    assert office.get(url).json["due_at"] == shown["due_at"]  # a correction keeps the clock


def test_the_deadline_follows_the_townships_rule_and_a_report_needs_proposals(reported):
    secretary = reported.client("secretary")
    secretary.patch(f"{reported.base}/rules/{RULE}", json={"deadline_hours": 2}).assert_status(
        200)
    with time_machine.travel(AT, tick=False):
        situation = secretary.post(f"{reported.base}/reporting/situations",
                                   json={"title": "突發事件"}).json
        assert dt.datetime.fromisoformat(situation["due_at"]) == dt.datetime.fromisoformat(
            "2026-05-01T10:00:00+08:00")
        url = f"{reported.base}/reporting/situations/{situation['id']}/reports"
        for bad, field in (({"content": "x"}, "proposals"),
                           (_report(reported_at="2026-04-30T08:00:00+08:00"), "reported_at"),
                           (_report(reported_at="2026-05-09T08:00:00+08:00"), "reported_at")):
            response = secretary.post(url, json=bad)
            assert response.status_code == 422 and field in response.json["errors"]["json"]
        assert secretary.get(url).json == []
        made = secretary.post(url, json=_report()).json
        secretary.delete(f"{url}/{made['id']}").assert_status(204)  # archived: made in error
        assert secretary.get(url.rsplit("/", 1)[0]).json["status"] == "awaiting_report"
        assert _obligation(reported, situation["obligation_id"])["done"] == 0
