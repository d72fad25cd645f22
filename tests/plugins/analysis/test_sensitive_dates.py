"""A3: forward-looking analysis before each major sensitive date or hot topic (due 7 days
before by default), and ad-hoc analyses of a field or group at any time."""

from __future__ import annotations

import datetime as dt

from tests.plugins.analysis.helpers import at, item

RULE = "analysis.sensitive_date"


def _obligation(client, world, period: str, date_id: str) -> dict | None:
    summary = client.get(f"{world.base}/obligations/summary?period={period}").json
    return next((i for i in summary["items"]
                 if i["rule"] == RULE and i["trigger"]["id"] == date_id), None)


def test_a_sensitive_date_starts_an_analysis_due_seven_days_before(town, time_machine):
    time_machine.move_to(at("2026-06-01"))
    office = town.client("office")
    dates = f"{town.base}/analysis/sensitive-dates"
    date = office.post(dates, json={"falls_on": "2026-07-01", "title": "建黨紀念日",
                                    "description": "黨的生日前後輿情"}).assert_status(201).json
    assert date["obligation"]["status"] == "upcoming"
    due = dt.datetime.fromisoformat(date["obligation"]["due_at"])
    assert due == dt.datetime(2026, 6, 24, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    obligation = _obligation(office, town, "2026H1", date["id"])
    assert (obligation["source"], obligation["responsible_role"]) == ("A3", "deputy")
    assert obligation["unit_id"] == str(town.units["committee"])

    analyses = f"{town.base}/analysis/analyses"
    linked = office.post(analyses, json={
        "kind": "forward_looking", "title": "建黨紀念日前瞻研判", "held_on": "2026-06-20",
        "sensitive_date_id": date["id"]}).assert_status(201).json
    assert linked["counts"] is True and linked["rule"] == RULE
    fulfilled = _obligation(office, town, "2026H1", date["id"])
    assert fulfilled["status"] == "fulfilled"
    assert fulfilled["evidence"]["id"] == linked["id"]
    assert office.get(f"{dates}/{date['id']}").json["analysis_ids"] == [linked["id"]]


def test_moving_a_date_moves_its_deadline_and_archiving_closes_it(town, time_machine):
    time_machine.move_to(at("2026-09-01"))
    office = town.client("office")
    dates = f"{town.base}/analysis/sensitive-dates"
    date = office.post(dates, json={"falls_on": "2026-10-01", "title": "國慶節",
                                    "kind": "sensitive_date"}).json
    one = f"{dates}/{date['id']}"
    moved = office.patch(one, json={"falls_on": "2026-10-11"},
                         headers={"If-Match": office.get(one).headers["ETag"]})
    due = dt.datetime.fromisoformat(moved.assert_status(200).json["obligation"]["due_at"])
    assert due.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2026, 10, 4)
    time_machine.move_to(at("2026-10-05"))
    assert _obligation(office, town, "2026H2", date["id"])["status"] == "overdue"
    office.delete(one, headers={"If-Match": office.get(one).headers["ETag"]}).assert_status(204)
    assert _obligation(office, town, "2026H2", date["id"]) is None
    assert office.get(dates).json == []
    assert office.get(f"{dates}?include_archived=true").json[0]["obligation"] is None


def test_the_township_deadline_setting_applies_to_new_dates(town, time_machine):
    """A township that wants the analysis 10 days before sets the rule's deadline."""
    time_machine.move_to(at("2026-02-01"))
    town.client("deputy").patch(f"{town.base}/rules/{RULE}",
                                json={"deadline_hours": -240}).assert_status(200)
    date = town.client("office").post(f"{town.base}/analysis/sensitive-dates", json={
        "falls_on": "2026-03-05", "title": "全國兩會", "kind": "sensitive_date"}).json
    due = dt.datetime.fromisoformat(date["obligation"]["due_at"])
    assert due.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2026, 2, 23)
    assert date["kind_label"]


def test_ad_hoc_analysis_any_time_names_its_field_and_counts_for_nothing(town, time_machine):
    time_machine.move_to(at("2026-04-02"))
    office = town.client("office")
    url = f"{town.base}/analysis/analyses"
    office.post(url, json={"kind": "ad_hoc", "title": "青年羣體思想動態",
                           "held_on": "2026-04-01"}).assert_status(422)
    created = office.post(url, json={"kind": "ad_hoc", "title": "青年羣體思想動態",
                                     "held_on": "2026-04-01", "subject": "返鄉青年"})
    record = created.assert_status(201).json
    assert record["counts"] is False and record["rule"] is None
    assert record["missing_domains"] == [] and record["required_domains"] == []
    assert [a["id"] for a in office.get(f"{url}?kind=ad_hoc").json] == [record["id"]]
    summary = office.get(f"{town.base}/obligations/summary?period=2026H1").json
    assert item(summary, "analysis.half_year", town.units["committee"])["done"] == 0


def test_forward_looking_analysis_needs_a_date_of_this_township(town, other_township):
    other_township.enable("analysis")
    foreign = other_township.client("office").post(
        f"{other_township.base}/analysis/sensitive-dates",
        json={"falls_on": "2026-12-26", "title": "x"}).json
    url = f"{town.base}/analysis/analyses"
    office = town.client("office")
    base = {"kind": "forward_looking", "title": "前瞻", "held_on": "2026-12-01"}
    for extra in ({}, {"sensitive_date_id": foreign["id"]},
                  {"sensitive_date_id": "00000000-0000-0000-0000-000000000000"}):
        response = office.post(url, json={**base, **extra}).assert_status(422)
        assert "sensitive_date_id" in response.json["errors"]["json"]
    assert office.get(url).json == []
    assert office.get(f"{town.base}/analysis/sensitive-dates/{foreign['id']}").status_code == 404
