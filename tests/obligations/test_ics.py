"""The ICS feed: a calendar client subscribes with a per-user feed token and sees every
obligation as a task, with stable UIDs, due dates and status (RFC 5545)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import time_machine
from icalendar import Calendar

from tests.obligations.drill import at
from zerenzhi.testing import ApiClient

STATUS = {"fulfilled": "COMPLETED", "waived": "CANCELLED", "upcoming": "NEEDS-ACTION",
          "due_soon": "NEEDS-ACTION", "overdue": "NEEDS-ACTION"}


def _feed_url(world, role: str = "secretary") -> str:
    issued = world.client(role).post("/api/v1/me/feed-token").assert_status(201).json
    assert issued["url"].startswith("http://127.0.0.1:8000/api/v1/townships/")
    parts = urlsplit(issued["url"])
    return f"{parts.path}?{parts.query}"


def _subscribe(world, url: str) -> Calendar:
    """Fetch like a calendar client: no headers, only the URL."""
    response = ApiClient(world.app).get(url).assert_status(200)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.raw.get_data())


def _by_uid(calendar: Calendar, name: str = "VTODO") -> dict:
    return {str(c["uid"]): c for c in calendar.walk(name)}


@time_machine.travel("2026-09-01T09:00:00+08:00", tick=False)
def test_calendar_client_sees_each_obligation_as_a_task(drilled):
    world = drilled
    secretary = world.client("secretary")
    secretary.post(f"{world.base}/drill/evidence", json={
        "rule": "drill.special_meeting", "unit_id": str(world.units["committee"]),
        "occurred_at": at("2026-08-20")}).assert_status(201)  # H2 fulfilled
    api = {i["id"]: i for i in secretary.get(
        f"{world.base}/calendar?from=2026-06-03&to=2027-09-01&page_size=100").json}
    h1 = next(i for i in api.values() if i["period"] == "2026H1")
    secretary.post(f"{world.base}/obligations/{h1['id']}/waiver",
                   json={"reason": "與縣委會議合併召開"}).assert_status(201)
    api[h1["id"]]["status"] = "waived"
    url = _feed_url(world)

    first, again = _subscribe(world, url), _subscribe(world, url)
    todos = _by_uid(first)
    assert set(todos) == {f"{i}@zerenzhi" for i in api} == set(_by_uid(again))
    me = secretary.get("/api/v1/me").json
    assert me["tenant"]["name"] in str(first["x-wr-calname"])
    for obligation_id, item in api.items():
        todo = todos[f"{obligation_id}@zerenzhi"]
        assert todo.decoded("due") == dt.date.fromisoformat(item["due_on"])  # local day
        assert str(todo["status"]) == STATUS[item["status"]]
        assert str(todo["summary"]) == f"{item['title']} · {item['unit_name']}"
        assert f": {item['source']}" in str(todo["description"])
        assert str(todo["url"]).startswith(f"http://127.0.0.1:8000{world.base}/calendar?")
    done = next(t for t in todos.values() if str(t["status"]) == "COMPLETED")
    assert done.decoded("completed") == dt.datetime.fromisoformat(at("2026-08-20"))
    assert {str(t["status"]) for t in todos.values()} == {"COMPLETED", "CANCELLED",
                                                          "NEEDS-ACTION"}


@time_machine.travel("2026-06-10T09:00:00+08:00", tick=False)
def test_event_clients_get_all_day_events_on_the_last_day(drilled):
    """For Google/Outlook-style clients: H1's meeting shows on 30 June, all day."""
    calendar = _subscribe(drilled, _feed_url(drilled) + "&component=event")
    events = list(calendar.walk("VEVENT"))
    assert events and not list(calendar.walk("VTODO"))
    h1 = next(e for e in events if e.decoded("dtstart") == dt.date(2026, 6, 30))
    assert h1.decoded("dtend") == dt.date(2026, 7, 1)
    assert str(h1["status"]) == "CONFIRMED"


def test_rotating_the_token_revokes_the_old_link(drilled):
    old = _feed_url(drilled)
    new = _feed_url(drilled)
    assert ApiClient(drilled.app).get(old).status_code == 401
    assert ApiClient(drilled.app).get(new).status_code == 200
    assert ApiClient(drilled.app).get(f"{drilled.base}/calendar.ics").status_code == 401


def test_a_feed_token_opens_only_its_own_township_s_feed(drilled, other_township):
    foreign = urlsplit(_feed_url(other_township)).query
    response = ApiClient(drilled.app).get(f"{drilled.base}/calendar.ics?{foreign}")
    unknown = ApiClient(drilled.app).get(f"/api/v1/townships/nowhere/calendar.ics?{foreign}")
    assert response.status_code == unknown.status_code == 404
    assert response.json == unknown.json


def test_a_feed_token_is_not_a_bearer_token(drilled):
    query = urlsplit(_feed_url(drilled)).query
    token = query.split("=", 1)[1]
    anonymous = ApiClient(drilled.app)
    assert anonymous.get(f"{drilled.base}/calendar?{query}").status_code == 401
    assert ApiClient(drilled.app, token).get("/api/v1/me").status_code == 401
    audit = drilled.client("secretary").get(
        f"{drilled.base}/audit?action=user_account.update").json
    assert audit and all(token not in str(entry) for entry in audit)
