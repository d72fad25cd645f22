"""Fidelity to the text (issue 16): evidence counts for the period it proves (R1), the
committee's W2 and R1 are one deliberation, and numbers the text does not give say so."""

from __future__ import annotations

import time_machine

from tests.plugins.reporting.helpers import archive, item

MEETING, DELIBERATION, HALF_YEAR = ("reporting.committee_special_meeting",
                                    "reporting.secretary_deliberation",
                                    "reporting.half_year_report")
SECTIONS = [{"heading": "主要工作", "body": "落實意識形態工作責任制。"}]


@time_machine.travel("2026-07-05T10:00:00+08:00", tick=False)
def test_r1_an_h1_report_submitted_in_july_fulfils_h1_not_h2(reported):
    """R1: a 2026H1 report that went up on 3 July is H1's report, late; 2026H2 stays open."""
    office = reported.client("office")
    url = f"{reported.base}/reporting/half-year-reports"
    report = office.post(url, json={"period": "2026H1", "sections": SECTIONS}).assert_status(
        201).json
    office.post(f"{url}/{report['id']}/submit", json={"submitted_on": "2026-07-03"}
                ).assert_status(200)
    first = item(reported, "2026H1", HALF_YEAR)
    assert (first["done"], first["evidence"]) == (
        1, {"type": "reporting.half_year_report", "id": report["id"]})
    assert first["status"] == "fulfilled"
    assert first["fulfilled_at"].startswith("2026-07-03")  # the day it went up shows
    second = item(reported, "2026H2", HALF_YEAR)
    assert (second["done"], second["status"]) == (0, "upcoming")


@time_machine.travel("2026-10-01T10:00:00+08:00", tick=False)
def test_w2_and_r1_one_committee_meeting_counts_for_both(reported):
    """W2 (黨委書記每年至少兩次專題研究) and R1 (鎮黨委每年至少召開兩次專題研究, 每半年一次) are
    met by the same committee meetings: one record each time, counted for both rules."""
    office = reported.client("office")
    url = f"{reported.base}/reporting/meetings"
    ids = [office.post(url, json={
        "held_on": day, "title": "鎮黨委專題研究意識形態工作", "agenda": "研判形勢",
        "decisions": "部署督查"}).assert_status(201).json["id"]
        for day in ("2026-03-18", "2026-09-08")]
    secretary = item(reported, "2026", DELIBERATION)
    assert (secretary["status"], secretary["source"], secretary["responsible_role"]) == (
        "fulfilled", "W2", "secretary")
    assert secretary["evidence"] == {"type": "reporting.meeting", "id": ids[1]}
    for period, meeting_id in (("2026H1", ids[0]), ("2026H2", ids[1])):
        half = item(reported, period, MEETING)
        assert (half["status"], half["evidence"]["id"]) == ("fulfilled", meeting_id)
    archive(office, f"{url}/{ids[0]}").assert_status(204)
    assert item(reported, "2026", DELIBERATION)["done"] == 1  # gone from both at once
    assert item(reported, "2026H1", MEETING)["done"] == 0


def test_w2_has_one_committee_rule_and_it_is_reportings(reported):
    """The committee's W2 obligation comes from reporting's rule only (the committee's
    meeting register); branches keep W2 in the study module (decision 0019)."""
    rules = reported.client("secretary").get(f"{reported.base}/rules").assert_status(200).json
    w2 = {rule["key"]: rule for rule in rules if rule["source"] == "W2"}
    assert set(w2) == {DELIBERATION}
    assert (w2[DELIBERATION]["applies_to"], w2[DELIBERATION]["min_count"],
            w2[DELIBERATION]["cadence"]) == (["committee"], 2, "year")


def test_r2_and_r3_numbers_not_in_the_text_say_so_in_the_rules_api(reported):
    """R2 names no cadence (yearly is a default) and R3 no hours ("及時": 24 h is a default);
    R1's and W2's numbers are the text's."""
    rules = reported.client("secretary").get(f"{reported.base}/rules").assert_status(200).json
    ours = {rule["key"]: rule["defaults_not_in_text"] for rule in rules}
    assert ours == {"reporting.assembly_report": ["cadence"],
                    "reporting.major_situation": ["deadline_hours"],
                    MEETING: [], DELIBERATION: [], HALF_YEAR: []}
