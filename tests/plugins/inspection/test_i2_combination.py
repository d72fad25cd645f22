"""I2: "全面自查與重點檢查相結合，書面督查與現場督查相結合" — a half-year campaign (I1) counts
only when every village and station has submitted its self-inspection AND the office made
key checks AND used both written and on-site methods."""

from __future__ import annotations

from tests.plugins.inspection.helpers import all_yes, at, campaign, summary_item

RULE = "inspection.half_year"
UNITS = ("village-1", "station-1")


def _check(office, town, base: str, unit: str, method: str, day: str = "2026-05-08") -> dict:
    return office.post(f"{base}/checks", json={
        "unit_id": str(town.units[unit]), "method": method,
        "checked_on": day}).assert_status(201).json


def _status(office, town) -> str:
    return summary_item(office, town, "2026H1", RULE, "office")["status"]


def test_i2_key_checks_alone_do_not_fulfil_i1(town, time_machine):
    """Two key checks reach every unit, but nobody self-inspected: nothing is fulfilled."""
    time_machine.move_to(at("2026-05-10"))
    office = town.client("office")
    base = f"{town.base}/inspection/campaigns/{campaign(office, town)['id']}"
    for unit in UNITS:
        _check(office, town, base, unit, "key")
    state = office.get(base).json
    assert state["counts"] is False and state["coverage"]["complete"] is False
    assert {u["code"] for u in state["coverage"]["not_covered"]} == set(UNITS)
    assert state["coverage"]["methods_missing"] == ["written", "on_site"]
    assert _status(office, town) != "fulfilled"


def test_i2_every_self_inspection_and_every_method_fulfil_i1(town, time_machine):
    """Self-inspections everywhere still need key, written and on-site checks; the entry is
    dated when the last requirement was met."""
    time_machine.move_to(at("2026-05-10"))
    office = town.client("office")
    created = campaign(office, town)
    base = f"{town.base}/inspection/campaigns/{created['id']}"
    answers = all_yes(office, town)
    for unit in UNITS:
        office.post(f"{base}/self-inspections", json={
            "unit_id": str(town.units[unit]), "answers": answers,
            "submit": True}).assert_status(201)
    state = office.get(base).json
    assert state["coverage"]["covered"] == 2 and state["coverage"]["not_covered"] == []
    assert state["counts"] is False and _status(office, town) != "fulfilled"

    _check(office, town, base, "village-1", "key", "2026-05-03")
    _check(office, town, base, "village-1", "written", "2026-05-04")
    assert office.get(base).json["coverage"]["methods_missing"] == ["on_site"]
    assert _status(office, town) != "fulfilled"
    on_site = _check(office, town, base, "station-1", "on_site", "2026-05-09")
    state = office.get(base).json
    assert state["counts"] is True and state["coverage"]["methods_missing"] == []
    assert state["coverage"]["completed_on"] == "2026-05-10"  # the self-inspections' day
    item = summary_item(office, town, "2026H1", RULE, "office")
    assert (item["status"], item["source"]) == ("fulfilled", "I1, I2")

    # archiving the only on-site check takes the evidence back
    office.delete(f"{base}/checks/{on_site['id']}").assert_status(204)
    assert office.get(base).json["coverage"]["methods_missing"] == ["on_site"]
    assert _status(office, town) != "fulfilled"


def test_w7_and_a1_are_asked_of_every_unit_each_half_year(town):
    """W7 (anti-cult work) and A1 (a named person supplies information) oblige no count of
    their own (decision 0021): every village and station answers them in the self-inspection
    that I2 now demands of each one."""
    items = town.client("office").get(f"{town.base}/inspection/checklist").json
    sources = {item["key"]: item["source"] for item in items}
    assert sources["anti_cult"] == "W7" and sources["information_supplied"] == "A1"


def test_i3_and_rectification_deadlines_are_named_not_in_the_text(town):
    """I3 says to interview, not within how many days; no clause gives a rectification
    deadline: the rules API says both numbers are ours, while I1/I2's half-year is the text's."""
    rules = {r["key"]: r for r in town.client("office").get(f"{town.base}/rules").json}
    assert rules["inspection.interview"]["defaults_not_in_text"] == ["deadline_hours"]
    assert rules["inspection.rectification"]["defaults_not_in_text"] == ["deadline_hours"]
    assert rules["inspection.half_year"]["defaults_not_in_text"] == []
