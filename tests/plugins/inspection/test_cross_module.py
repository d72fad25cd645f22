"""A finding raised from outside a campaign, citing an analysis (A2 → I1–I3): the link goes
through core references (``describe_reference``), never through imports between modules."""

from __future__ import annotations

import pytest

from tests.plugins.inspection.helpers import at, summary_item
from zerenzhi.plugins.analysis import plugin as ANALYSIS
from zerenzhi.plugins.inspection import plugin as INSPECTION


@pytest.fixture
def zz_plugins():
    return [ANALYSIS, INSPECTION]


def test_a_finding_cites_the_analysis_it_came_from(township, time_machine):
    time_machine.move_to(at("2026-05-10"))
    township.enable("analysis")
    township.enable("inspection")
    office = township.client("office")
    analysis = office.post(f"{township.base}/analysis/analyses", json={
        "kind": "ad_hoc", "title": "村級微信羣管理專項研判", "held_on": "2026-05-08",
        "subject": "村級微信羣"}).assert_status(201).json
    finding = office.post(f"{township.base}/inspection/findings", json={
        "unit_id": str(township.units["village-1"]), "severity": "minor",
        "description": "村級微信羣羣主責任不清", "plan": "明確羣主責任", "owner": "韓主任",
        "deadline": "2026-06-10",
        "source": {"type": "analysis.analysis", "id": analysis["id"]}}).assert_status(201).json
    assert finding["source"] == {"type": "analysis.analysis", "id": analysis["id"],
                                 "title": analysis["title"], "status": "draft"}
    item = summary_item(office, township, "2026H1", "inspection.rectification", "village-1")
    assert item["status"] == "upcoming"  # it is on the calendar with its owner's deadline
