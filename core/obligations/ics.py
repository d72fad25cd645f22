"""The obligations calendar as an RFC 5545 feed (icalendar), for calendar clients.

Each obligation is a **VTODO** by default: an obligation is a task with a deadline and a
completion state, and VTODO is the component that has exactly that — ``DUE``,
``STATUS:NEEDS-ACTION|COMPLETED|CANCELLED`` and ``COMPLETED`` (when). A VEVENT has no due
date and its STATUS cannot say "completed". Some clients (Google Calendar, Outlook, iOS
subscriptions) show only events, so ``component="event"`` renders the same obligations as
VEVENTs instead: all-day on the last day of a period, or at the deadline of an event rule,
with CANCELLED for waived ones and a ✓ in the summary of fulfilled ones.

Dates are the township's, as people read them: a period's obligation, due at the end of
its last local day, is written with date values (``DTSTART;VALUE=DATE`` the first day,
``DUE;VALUE=DATE`` the last: 2026H2's review is ``DUE;VALUE=DATE:20261231``), which clients
show on that day whatever their own zone; an event's deadline is an instant (UTC). Each
open item carries a ``VALARM`` per reminder threshold (30, 7 and 1 days before it is due,
as ``zerenzhi obligations remind`` sends them). The description names the post, who holds
it, and for committee-level work the first (M1) and directly (M2) responsible.

UIDs are ``<obligation id>@zerenzhi``, so a client updates an item in place on refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Todo

from zerenzhi.labels import Label, render
from zerenzhi.obligations.remind import DEFAULT_THRESHOLDS

COMPONENTS = ("todo", "event")
REFRESH = dt.timedelta(hours=1)
TEXT = {
    "calendar": Label("責任清單", "Obligations"),
    "source": Label("依據條款", "Source clause"),
    "required": Label("應完成", "Required"),
    "done": Label("已完成", "Done"),
    "responsible": Label("責任人", "Responsible"),
    "first": Label("第一責任人", "First responsible"),
    "direct": Label("直接責任人", "Directly responsible"),
    "reminder": Label("{days} 天後到期", "Due in {days} days"),
    "nobody": Label("（崗位空缺）", "(post vacant)"),
    "status": Label("狀態", "Status"),
    "waived": Label("豁免理由", "Waived because"),
}
STATUS_TEXT = {
    "upcoming": Label("未到期", "Upcoming"),
    "due_soon": Label("即將到期", "Due soon"),
    "overdue": Label("已逾期", "Overdue"),
    "fulfilled": Label("已完成", "Fulfilled"),
    "waived": Label("已豁免", "Waived"),
}
TODO_STATUS = {"fulfilled": "COMPLETED", "waived": "CANCELLED"}  # otherwise NEEDS-ACTION


def _names(people: list[dict[str, Any]]) -> str:
    return "、".join(person["name"] for person in people) or render(TEXT["nobody"])


def _description(item: dict[str, Any]) -> str:
    lines = [
        f"{render(TEXT['source'])}: {item['source']}",
        f"{render(TEXT['required'])}: {item['required']} · {render(TEXT['done'])}: "
        f"{item['done']}",
        f"{render(TEXT['responsible'])} ({item['responsible_role_label']}): "
        f"{_names(item['responsible'])}",
    ]
    for key, label in (("first_responsible", "first"), ("directly_responsible", "direct")):
        if item.get(key) is not None:
            lines.append(f"{render(TEXT[label])}: {_names(item[key])}")
    lines.append(f"{render(TEXT['status'])}: {render(STATUS_TEXT[item['status']])}")
    if item.get("waived"):
        lines.append(f"{render(TEXT['waived'])}: {item['waived']['reason']}")
    return "\n".join(lines)


def _common(component, item: dict[str, Any], now: dt.datetime, url: str,
            mark: str = "") -> None:
    component.add("uid", f"{item['id']}@zerenzhi")
    component.add("dtstamp", now)
    component.add("summary",
                  f"{mark}{item['title']} · {item['unit_name'] or item['unit_code']}")
    component.add("description", _description(item))
    component.add("categories", [item["source"]])
    component.add("url", url)


def _whole_days(item: dict[str, Any], timezone: str) -> bool:
    """Due at a local midnight: the end of its last day (every period's obligation)."""
    return item["due_at"].astimezone(ZoneInfo(timezone)).time() == dt.time()


def _alarms(component, item: dict[str, Any], thresholds: Iterable[int]) -> None:
    """A display alarm per threshold, relative to the due date (RFC 5545 ``RELATED=END``
    on a VTODO's DUE; a VEVENT's start is its due day), for items still owed."""
    if item["status"] in ("fulfilled", "waived"):
        return
    related = {"RELATED": "END"} if isinstance(component, Todo) else {}
    for days in sorted(thresholds, reverse=True):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", render(TEXT["reminder"]).format(days=days))
        alarm.add("trigger", -dt.timedelta(days=days), parameters=related)
        component.add_component(alarm)


def _todo(item: dict[str, Any], now: dt.datetime, url: str, timezone: str) -> Todo:
    todo = Todo()
    _common(todo, item, now, url)
    due: dt.datetime = item["due_at"]
    if _whole_days(item, timezone) and item["trigger"] is None:
        if item["period_start"] < item["due_on"]:
            todo.add("dtstart", item["period_start"])
        todo.add("due", item["due_on"])
    else:
        start = item["trigger"]["at"] if item["trigger"] else dt.datetime.combine(
            item["period_start"], dt.time(), ZoneInfo(timezone))
        if start < due:
            todo.add("dtstart", start.astimezone(dt.UTC))
        todo.add("due", due.astimezone(dt.UTC))
    todo.add("status", TODO_STATUS.get(item["status"], "NEEDS-ACTION"))
    if item["status"] == "fulfilled":
        todo.add("completed", item["fulfilled_at"].astimezone(dt.UTC))
        todo.add("percent-complete", 100)
    return todo


def _event(item: dict[str, Any], now: dt.datetime, url: str, timezone: str) -> Event:
    event = Event()
    _common(event, item, now, url, "✓ " if item["status"] == "fulfilled" else "")
    if _whole_days(item, timezone):  # due at midnight: the whole last day of the period
        event.add("dtstart", item["due_on"])
        event.add("dtend", item["due_on"] + dt.timedelta(days=1))
    else:
        event.add("dtstart", item["due_at"].astimezone(dt.UTC))
    event.add("status", "CANCELLED" if item["status"] == "waived" else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    return event


def feed(items: Iterable[dict[str, Any]], *, name: str, timezone: str, now: dt.datetime,
         url_for: Callable[[dict[str, Any]], str], component: str = "todo",
         thresholds: Iterable[int] = DEFAULT_THRESHOLDS) -> bytes:
    """Render described obligations (``service.describe``) as one iCalendar object, with
    an alarm ``thresholds`` days before each open item is due.

    ``url_for(item)`` gives each item's link back to the API; ``name`` is the township's,
    shown by clients as the calendar's title (X-WR-CALNAME).
    """
    calendar = Calendar()
    calendar.add("prodid", "-//zerenzhi//obligations calendar//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{name} · {render(TEXT['calendar'])}")
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # the same hour, as older clients read it
    make = _todo if component == "todo" else _event
    for item in items:
        entry = make(item, now, url_for(item), timezone)
        _alarms(entry, item, thresholds)
        calendar.add_component(entry)
    return calendar.to_ical()
