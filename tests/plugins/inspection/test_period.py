"""I1 (每半年專項督查): a campaign counts for the half-year it covers (``period``), on the day
it was completed — never moved back into its half-year — so a late campaign shows as late
(issue 16, item 1)."""

from __future__ import annotations

from tests.plugins.inspection.helpers import all_yes, at, summary_item

RULE = "inspection.half_year"
UNITS = ("village-1", "station-1")
METHODS = (("village-1", "key"), ("village-1", "written"), ("station-1", "on_site"))


def _campaign(office, town, started_on: str, **extra) -> dict:
    return office.post(f"{town.base}/inspection/campaigns", json={
        "title": "2026年上半年意識形態工作專題督查", "started_on": started_on,
        **extra}).assert_status(201).json


def _complete(office, town, campaign_id: str) -> dict:
    """Every self-inspection submitted and every office method used (I2), today."""
    base = f"{town.base}/inspection/campaigns/{campaign_id}"
    answers = all_yes(office, town)
    for unit in UNITS:
        office.post(f"{base}/self-inspections", json={
            "unit_id": str(town.units[unit]), "answers": answers,
            "submit": True}).assert_status(201)
    for unit, method in METHODS:
        office.post(f"{base}/checks", json={"unit_id": str(town.units[unit]),
                                            "method": method}).assert_status(201)
    state = office.get(base).json
    assert state["counts"] is True
    return state


def _item(office, town, period: str) -> dict:
    return summary_item(office, town, period, RULE, "office")


def test_i1_a_campaign_completed_after_its_half_year_fulfils_it_late(town, time_machine):
    """I1: an H1 campaign started on 20 June and completed on 10 July fulfils 2026H1 on
    10 July — late, shown as late, not moved back to 30 June — and 2026H2 stays open."""
    time_machine.move_to(at("2026-06-20"))
    office = town.client("office")
    created = _campaign(office, town, "2026-06-20")
    assert created["period"] == "2026H1"
    time_machine.move_to(at("2026-07-10"))
    state = _complete(office, town, created["id"])
    assert state["coverage"]["completed_on"] == "2026-07-10"
    first = _item(office, town, "2026H1")
    assert (first["status"], first["done"]) == ("fulfilled", 1)
    assert first["evidence"] == {"type": "inspection_campaign", "id": created["id"]}
    assert first["fulfilled_at"].startswith("2026-07-10")  # the real completion day
    assert first["fulfilled_at"] > first["due_at"]  # late, and shown as late
    assert _item(office, town, "2026H2")["done"] == 0


def test_i1_an_explicit_period_attributes_a_campaign_started_in_july_to_h1(town,
                                                                           time_machine):
    """I1: a campaign for 2026H1 started on 2 July counts for 2026H1 (late), not 2026H2;
    without a period it would cover the half-year of started_on."""
    time_machine.move_to(at("2026-07-06"))
    office = town.client("office")
    created = _campaign(office, town, "2026-07-02", period="2026H1")
    assert created["period"] == "2026H1"
    _complete(office, town, created["id"])
    first = _item(office, town, "2026H1")
    assert first["status"] == "fulfilled" and first["fulfilled_at"].startswith("2026-07-06")
    assert first["fulfilled_at"] > first["due_at"]
    assert _item(office, town, "2026H2")["done"] == 0
    listed = office.get(f"{town.base}/inspection/campaigns?period=2026H1").json
    assert [c["id"] for c in listed] == [created["id"]]
    assert _campaign(office, town, "2026-07-02")["period"] == "2026H2"


def test_i1_the_period_is_never_later_than_started_on_nor_before_go_live(town,
                                                                          time_machine):
    """I1: a half-year that had not begun when the campaign started, or one ending before
    the township went live (2025-01-01), is refused with the field named."""
    time_machine.move_to(at("2026-07-06"))
    office = town.client("office")
    url = f"{town.base}/inspection/campaigns"
    for started_on, period in (("2026-06-20", "2026H2"), ("2026-03-01", "2024H2"),
                               ("2026-03-01", "2026h1")):
        refused = office.post(url, json={"title": "督查", "started_on": started_on,
                                         "period": period}).assert_status(422).json
        assert "period" in refused["errors"]["json"], period
    assert office.get(url).json == []


def test_i1_an_explicit_period_stays_when_started_on_is_edited(town, time_machine):
    """I1: correcting started_on keeps a period set apart from it; one that followed the
    date follows it; moving the start before the covered half-year is refused."""
    time_machine.move_to(at("2026-07-06"))
    office = town.client("office")
    base = f"{town.base}/inspection/campaigns"
    kept = f"{base}/{_campaign(office, town, '2026-07-02', period='2026H1')['id']}"
    moved = office.patch(kept, json={"started_on": "2026-07-03"},
                         headers={"If-Match": office.get(kept).headers["ETag"]})
    assert moved.assert_status(200).json["period"] == "2026H1"
    refused = office.patch(kept, json={"started_on": "2025-12-20"},
                           headers={"If-Match": moved.headers["ETag"]}).assert_status(422)
    assert "period" in refused.json["errors"]["json"]
    follows = f"{base}/{_campaign(office, town, '2026-06-20')['id']}"
    patched = office.patch(follows, json={"started_on": "2026-07-01"},
                           headers={"If-Match": office.get(follows).headers["ETag"]})
    assert patched.assert_status(200).json["period"] == "2026H2"
