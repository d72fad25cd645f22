"""zerenzhi-hello's own tests, written as any plugin author would: only the public pytest
fixtures of ``zerenzhi.testing`` (registered by zerenzhi under ``pytest11``), so they run on
SQLite and, when PostgreSQL is installed, again under row-level security.

The ``app`` fixture loads entry points, so this installed distribution is in it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from zerenzhi import describe_reference

QUARTER_DAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
RULE = "hello.quarterly_greetings"


@pytest.fixture
def hello(township):
    """A township that enabled the module (the fast way; the API way is tested below)."""
    township.enable("hello")
    return township


def _item(summary: dict, rule: str, unit_id) -> dict:
    return next(i for i in summary["items"] if i["rule"] == rule and i["unit_id"] == str(unit_id))


def test_greeting_counts_toward_the_rule(hello, time_machine):
    """M5 (toy): three greetings to a branch in a quarter fulfil its quarterly obligation."""
    time_machine.move_to(QUARTER_DAY)
    office = hello.client("office")
    branch = hello.units["branch-1"]
    for _ in range(3):
        recorded = office.post(f"{hello.base}/hello/greetings", json={"unit_id": str(branch)})
        assert recorded.assert_status(201).json["target"] == 3
    summary = office.get(f"{hello.base}/obligations/summary?period=2026Q4").assert_status(200)
    item = _item(summary.json, RULE, branch)
    assert (item["required"], item["done"], item["status"]) == (3, 3, "fulfilled")
    assert item["source"] == "M5" and item["responsible_role"] == "branch_secretary"
    other_branch = _item(summary.json, RULE, hello.units["branch-2"])
    assert other_branch["done"] == 0


def test_greetings_outside_branches_are_recorded_but_count_for_nothing(hello):
    office = hello.client("office")
    village = str(hello.units["village-1"])
    office.post(f"{hello.base}/hello/greetings", json={"unit_id": village}).assert_status(201)
    listed = office.get(f"{hello.base}/hello/greetings?unit_id={village}").assert_status(200)
    assert [g["unit_id"] for g in listed.json] == [village]
    rules = {i["rule"] for i in office.get(f"{hello.base}/obligations/summary").json["items"]
             if i["unit_id"] == village}
    assert RULE not in rules


def test_branch_secretary_greets_only_in_own_branch(hello):
    secretary = hello.client("branch_secretary")  # posted at branch-1
    own = {"unit_id": str(hello.units["branch-1"])}
    other = {"unit_id": str(hello.units["branch-2"])}
    secretary.post(f"{hello.base}/hello/greetings", json=own).assert_status(201)
    assert secretary.post(f"{hello.base}/hello/greetings", json=other).status_code == 403
    assert hello.client("viewer").post(f"{hello.base}/hello/greetings",
                                       json=own).status_code == 403


def test_bad_input_is_422_and_records_nothing(hello, other_township):
    office = hello.client("office")
    url = f"{hello.base}/hello/greetings"
    for body in ({}, {"unit_id": "nope"}, {"unit_id": str(hello.units["branch-1"]), "mood": 1},
                 {"unit_id": str(other_township.units["branch-1"])},
                 {"unit_id": str(hello.units["branch-1"]), "greeted_at": "2026-11-20T10:00:00"}):
        assert office.post(url, json=body).status_code == 422, body
    assert office.get(url).assert_status(200).json == []


def test_disabled_module_is_absent(township):
    response = township.client("office").get(f"{township.base}/hello/greetings")
    assert response.status_code == 404 and "hello" in response.json["message"]


def test_settings_are_validated(township):
    admin = township.client("tenant_admin")
    url = f"{township.base}/plugins/hello"
    for bad in ({"greetings_per_quarter": -1}, {"greetings_per_quarter": 91}, {"hi": 1}):
        assert admin.put(url, json={"settings": bad}).status_code == 422, bad
    state = admin.put(url, json={"settings": {"greetings_per_quarter": 5}}).assert_status(200)
    assert state.json["settings"] == {"greetings_per_quarter": 5}
    recorded = township.client("office").post(
        f"{township.base}/hello/greetings", json={"unit_id": str(township.units["branch-1"])})
    assert recorded.assert_status(201).json["target"] == 5


def test_other_modules_see_a_greeting_by_reference(hello):
    """Cross-module links go through core references, never through imports."""
    recorded = hello.client("office").post(
        f"{hello.base}/hello/greetings", json={"unit_id": str(hello.units["branch-1"])})
    greeting_id = recorded.assert_status(201).json["id"]
    with hello.scope() as sess:
        seen = describe_reference(sess, "hello.greeting", greeting_id)
        missing = describe_reference(sess, "hello.greeting", "not-an-id")
    assert seen is not None and seen["status"] == "recorded" and seen["id"] == greeting_id
    assert "你好" not in str(seen)  # a title and a status, never the record's body
    assert missing is None


def test_the_console_page_lists_and_records_greetings(hello):
    """The page the plugin adds through ``register_pages``: in the navigation of a township
    that enabled the module, a list and a form posting to the same service as the API."""
    import re

    office = hello.client("office")
    page = f"/townships/{hello.slug}/hello/"
    html = office.get(page).assert_status(200).raw.get_data(as_text=True)
    assert f'href="{page}"' in html  # its navigation entry
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    branch = str(hello.units["branch-1"])
    office.post(f"{page}greet", data={"csrf_token": token, "unit_id": branch,
                                      "message": "早上好"}).assert_status(302)
    listed = office.get(f"{hello.base}/hello/greetings").json
    assert [(g["unit_id"], g["message"]) for g in listed] == [(branch, "早上好")]
    assert "早上好" in office.get(page).raw.get_data(as_text=True)
    refused = office.post(f"{page}greet", data={"csrf_token": token, "unit_id": "",
                                                "message": "x" * 201})
    assert refused.status_code == 422  # no unit, too long: the API's schema refuses both
    assert len(office.get(f"{hello.base}/hello/greetings").json) == 1
    viewer = hello.client("viewer")
    html = viewer.get(page).assert_status(200).raw.get_data(as_text=True)
    assert f'action="{page}greet"' not in html  # no form for a role that may not write
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    viewer.post(f"{page}greet", data={"csrf_token": token, "unit_id": branch}
                ).assert_status(403)


def test_the_console_page_is_404_where_the_module_is_off(township):
    township.client("office").get(f"/townships/{township.slug}/hello/").assert_status(404)
