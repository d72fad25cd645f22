"""A3: "對重大敏感時間節點、重大輿情熱點需注意問題進行前瞻性分析研判" — a hot topic has no date
to look ahead to: its forward-looking analysis is due ``hot_topic_hours`` (a setting, 48 by
default, not in the text) after the topic is recorded; sensitive dates keep "7 days before"."""

from __future__ import annotations

import datetime as dt

from tests.plugins.analysis.helpers import TZ, at

DATES = "/analysis/sensitive-dates"


def _due(record: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(record["obligation"]["due_at"]).astimezone(TZ)


def test_a3_hot_topic_is_due_48_hours_after_it_is_recorded(town, time_machine):
    """A topic that broke out five days ago is not overdue the moment it is recorded."""
    time_machine.move_to(at("2026-06-01", 10), tick=False)
    office = town.client("office")
    topic = office.post(f"{town.base}{DATES}", json={
        "falls_on": "2026-05-27", "title": "農產品價格波動輿情", "kind": "hot_topic"})
    topic = topic.assert_status(201).json
    assert _due(topic) == at("2026-06-03", 10)
    assert topic["obligation"]["status"] == "due_soon"  # not overdue

    # moving a topic's day leaves its deadline alone; its kind cannot change (422)
    one = f"{town.base}{DATES}/{topic['id']}"
    moved = office.patch(one, json={"falls_on": "2026-05-26"},
                         headers={"If-Match": office.get(one).headers["ETag"]})
    assert _due(moved.assert_status(200).json) == at("2026-06-03", 10)
    refused = office.patch(one, json={"kind": "sensitive_date"},
                           headers={"If-Match": moved.headers["ETag"]}).assert_status(422)
    assert "kind" in refused.json["errors"]["json"]

    linked = office.post(f"{town.base}/analysis/analyses", json={
        "kind": "forward_looking", "title": "價格輿情研判", "held_on": "2026-06-02",
        "sensitive_date_id": topic["id"]}).assert_status(201).json
    assert linked["counts"] is True
    assert office.get(one).json["obligation"]["status"] == "fulfilled"

    time_machine.move_to(at("2026-06-04", 10), tick=False)
    late = office.post(f"{town.base}{DATES}", json={
        "falls_on": "2026-06-04", "title": "另一熱點", "kind": "hot_topic"}).json
    time_machine.move_to(at("2026-06-06", 11), tick=False)
    assert office.get(f"{town.base}{DATES}/{late['id']}").json["obligation"]["status"] == \
        "overdue"


def test_a3_hot_topic_hours_is_a_setting_and_dates_keep_seven_days(town, time_machine):
    time_machine.move_to(at("2026-06-01", 9), tick=False)
    admin, office = town.client("tenant_admin"), town.client("office")
    url = f"{town.base}/plugins/analysis"
    assert admin.get(url).json["settings"]["hot_topic_hours"] == 48
    admin.put(url, json={"settings": {"hot_topic_hours": 0}}).assert_status(422)
    admin.put(url, json={"settings": {"hot_topic_hours": 24}}).assert_status(200)
    topic = office.post(f"{town.base}{DATES}", json={
        "falls_on": "2026-06-01", "title": "突發輿情", "kind": "hot_topic"}).json
    assert _due(topic) == at("2026-06-02", 9)
    date = office.post(f"{town.base}{DATES}", json={
        "falls_on": "2026-07-01", "title": "建黨紀念日"}).json
    assert _due(date) == dt.datetime(2026, 6, 24, tzinfo=TZ)


def test_a3_seven_days_before_is_named_not_in_the_text(town):
    rules = {r["key"]: r for r in town.client("office").get(f"{town.base}/rules").json}
    assert rules["analysis.sensitive_date"]["defaults_not_in_text"] == ["deadline_hours"]
    assert rules["analysis.half_year"]["defaults_not_in_text"] == []
