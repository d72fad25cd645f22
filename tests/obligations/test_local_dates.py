"""Dates as people read them (issue 13, item 6): a period's obligation is due at the end of
its last local day and listed under that day — in the calendar, the ICS feed and the
county's list — and every timestamp in the JSON is ISO 8601."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from icalendar import Calendar

from tests.obligations.drill import at
from tests.obligations.helpers import calendar, materialised

MEETING = "rule=drill.special_meeting"
LOOKS_LIKE_A_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T|\w{3}, \d{2} \w{3} \d{4}")


@time_machine.travel("2026-08-10T09:00:00+08:00", tick=False)
def test_a_half_year_is_listed_under_its_last_day(drilled):
    """R1: 2026H1's special meeting is due on 30 June (not 1 July in Shanghai)."""
    world = drilled
    materialised(world)
    on_the_day = calendar(world, f"from=2026-06-30&to=2026-06-30&{MEETING}").assert_status(200)
    assert [(i["period"], i["due_on"]) for i in on_the_day.json] == [("2026H1", "2026-06-30")]
    assert on_the_day.json[0]["due_at"] == "2026-06-30T16:00:00+00:00"  # its local midnight
    assert calendar(world, f"from=2026-07-01&to=2026-07-01&{MEETING}").json == []
    year_end = calendar(world, "from=2026-12-31&to=2026-12-31").json
    assert {(i["rule"], i["due_on"]) for i in year_end} >= {
        ("drill.special_meeting", "2026-12-31"), ("drill.theory_study", "2026-12-31")}
    assert calendar(world, "from=2027-01-01&to=2027-01-01").json == []


@time_machine.travel("2026-08-10T09:00:00+08:00", tick=False)
def test_the_feed_uses_local_days_and_carries_reminders(drilled):
    world = drilled
    materialised(world)
    body = world.client("secretary").get(
        f"{world.base}/calendar.ics?from=2026-06-01&to=2026-12-31").assert_status(200)
    todos = list(Calendar.from_ical(body.raw.get_data()).walk("VTODO"))
    due = {t.decoded("due") for t in todos}
    assert {dt.date(2026, 6, 30), dt.date(2026, 12, 31)} <= due
    assert b"DUE;VALUE=DATE:20261231" in body.raw.get_data()
    h2 = next(t for t in todos if t.decoded("due") == dt.date(2026, 12, 31)
              and "R1" in str(t["categories"].to_ical()))
    assert h2.decoded("dtstart") == dt.date(2026, 7, 1)
    alarms = h2.walk("VALARM")
    assert sorted(a.decoded("trigger") for a in alarms) == [
        -dt.timedelta(days=30), -dt.timedelta(days=7), -dt.timedelta(days=1)]
    assert {a["trigger"].params.get("RELATED") for a in alarms} == {"END"}
    events = Calendar.from_ical(world.client("secretary").get(
        f"{world.base}/calendar.ics?from=2026-06-01&to=2026-12-31&component=event"
    ).raw.get_data()).walk("VEVENT")
    assert all(len(e.walk("VALARM")) in (0, 3) for e in events)
    assert dt.date(2026, 6, 30) in {e.decoded("dtstart") for e in events}


@time_machine.travel("2026-05-01T02:00:00+08:00", tick=False)
def test_every_moment_in_the_json_is_iso_8601(drilled):
    world = drilled
    materialised(world)
    secretary = world.client("secretary")
    secretary.post(f"{world.base}/drill/situations", json={
        "unit_id": str(world.units["committee"]), "at": at("2026-04-30", 2)}
    ).assert_status(201)
    items = calendar(world, "from=2026-04-01&to=2026-07-31&page_size=100").json
    triggered = next(i for i in items if i["trigger"])
    assert dt.datetime.fromisoformat(triggered["trigger"]["at"]).tzinfo is not None
    summary = secretary.get(f"{world.base}/obligations/summary").assert_status(200).json

    def moments(value):
        if isinstance(value, dict):
            return [m for v in value.values() for m in moments(v)]
        if isinstance(value, list):
            return [m for v in value for m in moments(v)]
        return [value] if isinstance(value, str) and LOOKS_LIKE_A_MOMENT.match(value) else []

    found = moments(items) + moments(summary)
    assert triggered["trigger"]["at"] in found
    for value in found:
        assert dt.datetime.fromisoformat(value).tzinfo is not None, value


def test_the_openapi_document_describes_trigger_evidence_and_waived(app):
    from zerenzhi.testing import ApiClient

    spec = ApiClient(app).get("/api/openapi.json").assert_status(200).json
    schemas = spec["components"]["schemas"]
    obligation = schemas["Obligation"]["properties"]
    assert set(schemas["Trigger"]["properties"]) == {"type", "id", "at"}
    assert schemas["Trigger"]["properties"]["at"]["format"] == "date-time"
    assert set(schemas["Evidence"]["properties"]) == {"type", "id"}
    assert set(schemas["Waived"]["properties"]) == {"at", "by", "reason"}
    for key in ("trigger", "evidence", "waived"):
        assert "$ref" in str(obligation[key]), key
    assert obligation["due_on"]["format"] == "date"
    assert {"first_responsible", "directly_responsible", "responsible_at_due"} <= set(obligation)
