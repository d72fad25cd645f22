"""Issue 16 for the platforms module: P2's clock starts at detection (the lag between
detection and recording is shown), P3's liaison with higher departments is on the
incident, P1's daily collection is where an incident was found."""

from __future__ import annotations

import time_machine

from tests.plugins.platforms.support import at, summary_item

RULE = "platforms.incident_report"
RECORDED = "2026-09-10T09:00:00+08:00"


def _incident(world, detected: str = "08:10", severity: str = "major", **extra) -> dict:
    body = {"unit_id": str(world.units["village-1"]), "title": "廣播轉播未審核內容引發輿情",
            "category": "opinion", "severity": severity, "description": "錄音被轉發。",
            "detected_at": at("2026-09-10", detected), **extra}
    return world.client("office").post(f"{world.base}/platforms/incidents",
                                       json=body).assert_status(201).json


def _step(world, incident_id: str, kind: str, when: str, **extra):
    body = {"at": at("2026-09-10", when), "kind": kind, "actor": "鎮黨委",
            "action": "通報情況", "reported_to": "縣委網信辦", **extra}
    return world.client("office").post(
        f"{world.base}/platforms/incidents/{incident_id}/timeline", json=body)


def _patch(world, incident: dict, **changes) -> dict:
    office = world.client("office")
    url = f"{world.base}/platforms/incidents/{incident['id']}"
    return office.patch(url, json=changes, headers={"If-Match": office.get(url).headers["ETag"]}
                        ).assert_status(200).json


@time_machine.travel(RECORDED, tick=False)
def test_p2_the_two_hours_run_from_detection_and_the_recording_lag_is_shown(world):
    """P2 (邊處置，邊報告): typed in 50 minutes after detection, the first report is due
    2 h after 08:10, not after 09:00; the lag is a field of the incident."""
    incident = _incident(world)
    assert incident["report"]["due_at"].startswith("2026-09-10T02:10:00")  # 10:10 local
    assert incident["recording_lag_minutes"] == 50
    item = summary_item(world, "2026Q3", RULE, "committee")
    assert item["due_at"].startswith("2026-09-10T02:10:00")
    assert item["trigger"]["at"].startswith("2026-09-10T00:10:00")


@time_machine.travel(RECORDED, tick=False)
def test_p2_correcting_the_detection_moves_the_deadline(world):
    incident = _incident(world)
    corrected = _patch(world, incident, detected_at=at("2026-09-10", "07:40"))
    assert corrected["report"]["due_at"].startswith("2026-09-10T01:40:00")
    assert corrected["recording_lag_minutes"] == 80
    item = summary_item(world, "2026Q3", RULE, "committee")
    assert item["due_at"].startswith("2026-09-10T01:40:00")


@time_machine.travel(RECORDED, tick=False)
def test_p2_raised_to_major_the_clock_still_runs_from_detection(world):
    incident = _incident(world, severity="minor")
    assert incident["report"]["due_at"] is None
    raised = _patch(world, incident, severity="major")
    assert raised["report"]["due_at"].startswith("2026-09-10T02:10:00")


@time_machine.travel(RECORDED, tick=False)
def test_p2_detected_hours_ago_the_report_is_overdue_at_once(world):
    incident = _incident(world, detected="06:30")
    assert incident["report"]["state"] == "overdue"
    assert incident["recording_lag_minutes"] == 150


@time_machine.travel(RECORDED, tick=False)
def test_p3_the_incident_shows_whom_it_liaised_with_and_when(world):
    """P3 (溝通聯動，通報情況、協同處置): a reportable incident shows its liaison with the
    higher competent departments as missing until the timeline has one; then when it first
    happened and with whom; archiving the entry takes it back."""
    incident = _incident(world)
    assert incident["liaison"] == {"required": True, "first_at": None, "with": [],
                                   "state": "missing"}
    first = _step(world, incident["id"], "liaison", "08:30").assert_status(201).json
    _step(world, incident["id"], "liaison", "08:45", reported_to="縣公安局").assert_status(201)
    _step(world, incident["id"], "liaison", "08:50").assert_status(201)
    url = f"{world.base}/platforms/incidents/{incident['id']}"
    liaison = world.client("viewer").get(url).assert_status(200).json["liaison"]
    assert liaison["state"] == "done" and liaison["with"] == ["縣委網信辦", "縣公安局"]
    assert liaison["first_at"].startswith("2026-09-10T00:30:00")
    world.client("office").delete(f"{url}/timeline/{first['id']}").assert_status(204)
    assert world.client("viewer").get(url).json["liaison"]["first_at"].startswith(
        "2026-09-10T00:45:00")
    minor = _incident(world, severity="minor")
    assert minor["liaison"]["state"] == "not_required"
