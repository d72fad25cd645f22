"""P2, P3: a major incident is handled and reported at the same time (邊處置，邊報告); its
first report to the higher level is due within 2 h of detection; liaison with higher
departments is on the timeline; closing needs a summary."""

from __future__ import annotations

import time_machine

from tests.plugins.platforms.support import at, register, summary_item

RULE = "platforms.incident_report"
RECORDED = "2026-09-10T09:00:00+08:00"


def _incident(world, severity: str = "major", client: str = "office", **extra) -> dict:
    body = {"unit_id": str(world.units["village-1"]), "title": "廣播轉播未審核內容引發輿情",
            "category": "opinion", "severity": severity,
            "description": "錄音被轉發至多個微信群。", "detected_at": at("2026-09-10", "08:40"),
            **extra}
    return world.client(client).post(f"{world.base}/platforms/incidents",
                                     json=body).assert_status(201).json


def _step(world, incident_id: str, kind: str, when: str, client: str = "office", **extra):
    body = {"at": at("2026-09-10", when), "kind": kind, "actor": "鎮黨委",
            "action": "書面報告事件經過", **extra}
    if kind in ("report", "liaison") and "reported_to" not in extra:
        body["reported_to"] = "縣委宣傳部"
    return world.client(client).post(
        f"{world.base}/platforms/incidents/{incident_id}/timeline", json=body)


def _get(world, incident_id: str) -> dict:
    return world.client("secretary").get(
        f"{world.base}/platforms/incidents/{incident_id}").assert_status(200).json


@time_machine.travel(RECORDED, tick=False)
def test_a_major_incident_starts_the_two_hour_report_and_the_first_report_fulfils_it(world):
    """P2: detection starts the clock; handling and P3 liaison are not the report."""
    incident = _incident(world)
    assert incident["report"]["state"] == "pending"
    assert incident["report"]["due_at"].startswith("2026-09-10T02:40:00")  # 08:40 + 2 h
    item = summary_item(world, "2026Q3", RULE, "committee")
    assert (item["status"], item["source"], item["responsible_role"]) == (
        "due_soon", "P2", "secretary")
    assert item["trigger"]["type"] == "platforms.incident"
    _step(world, incident["id"], "handling", "08:50",
          action="停播並封存播出記錄").assert_status(201)
    _step(world, incident["id"], "liaison", "08:55",
          reported_to="縣委網信辦").assert_status(201)
    assert _get(world, incident["id"])["report"]["state"] == "pending"
    _step(world, incident["id"], "report", "08:58").assert_status(201)
    report = _get(world, incident["id"])["report"]
    assert (report["state"], report["late"]) == ("on_time", False)
    item = summary_item(world, "2026Q3", RULE, "committee")
    assert item["status"] == "fulfilled" and item["evidence"]["type"] == "platforms.incident"
    timeline = world.client("viewer").get(
        f"{world.base}/platforms/incidents/{incident['id']}/timeline").assert_status(200).json
    assert [e["kind"] for e in timeline] == ["handling", "liaison", "report"]
    assert timeline[1]["kind_label"] == "与上级部门沟通联动"


def test_a_late_first_report_is_flagged(world, time_machine):
    time_machine.move_to(RECORDED, tick=False)
    incident = _incident(world)
    time_machine.move_to("2026-09-10T11:30:00+08:00", tick=False)
    assert _get(world, incident["id"])["report"]["state"] == "overdue"
    assert summary_item(world, "2026Q3", RULE, "committee")["status"] == "overdue"
    time_machine.move_to("2026-09-10T13:00:00+08:00", tick=False)
    _step(world, incident["id"], "report", "12:40").assert_status(201)
    report = _get(world, incident["id"])["report"]
    assert (report["state"], report["late"]) == ("late", True)
    assert report["first_report_at"].startswith("2026-09-10T04:40:00")
    item = summary_item(world, "2026Q3", RULE, "committee")
    assert item["status"] == "fulfilled" and item["fulfilled_at"] > item["due_at"]


def _report_items(world) -> list[dict]:
    summary = world.client("secretary").get(f"{world.base}/obligations/summary?period=2026Q3")
    return [i for i in summary.assert_status(200).json["items"] if i["rule"] == RULE]


@time_machine.travel(RECORDED, tick=False)
def test_minor_incidents_start_no_clock_until_raised_to_major(world):
    incident = _incident(world, severity="minor")
    assert incident["report"] == {"required": False, "obligation_id": None, "due_at": None,
                                  "first_report_at": None, "late": None,
                                  "state": "not_required"}
    url = f"{world.base}/platforms/incidents/{incident['id']}"
    office = world.client("office")
    raised = office.patch(url, json={"severity": "major"},
                          headers={"If-Match": office.get(url).headers["ETag"]})
    assert raised.assert_status(200).json["report"]["state"] == "pending"
    due = raised.json["report"]["due_at"]
    lowered = office.patch(url, json={"severity": "serious"},
                           headers={"If-Match": office.get(url).headers["ETag"]})
    assert lowered.assert_status(200).json["report"]["state"] == "not_required"
    assert _report_items(world) == []  # lowered before any report: nothing owed
    again = office.patch(url, json={"severity": "especially_major"},
                         headers={"If-Match": office.get(url).headers["ETag"]})
    assert again.assert_status(200).json["report"]["due_at"] == due  # the same clock
    assert [i["status"] for i in _report_items(world)] == ["due_soon"]


@time_machine.travel(RECORDED, tick=False)
def test_the_township_chooses_from_which_severity_incidents_are_reported(world):
    admin = world.client("tenant_admin")
    admin.put(f"{world.base}/plugins/platforms",
              json={"settings": {"report_from_severity": "serious"}}).assert_status(200)
    assert _incident(world, severity="serious")["report"]["required"] is True


@time_machine.travel(RECORDED, tick=False)
def test_bad_timeline_entries_are_refused(world):
    incident = _incident(world)
    assert _step(world, incident["id"], "report", "08:58", reported_to="  ").status_code == 422
    assert _step(world, incident["id"], "handling", "08:00").status_code == 422  # before
    assert _step(world, incident["id"], "handling", "09:30").status_code == 422  # future
    wrong = _step(world, incident["id"], "rumour", "08:50")
    assert wrong.status_code == 422 and "kind" in wrong.json["errors"]["json"]
    assert world.client("viewer").get(
        f"{world.base}/platforms/incidents/{incident['id']}/timeline").json == []


@time_machine.travel(RECORDED, tick=False)
def test_archiving_the_first_report_lets_the_next_count(world):
    incident = _incident(world)
    first = _step(world, incident["id"], "report", "08:50").assert_status(201).json
    _step(world, incident["id"], "report", "08:59").assert_status(201)
    office = world.client("office")
    office.delete(f"{world.base}/platforms/incidents/{incident['id']}/timeline/"
                  f"{first['id']}").assert_status(204)
    assert _get(world, incident["id"])["report"]["first_report_at"].startswith(
        "2026-09-10T00:59:00")
    url = f"{world.base}/platforms/incidents/{incident['id']}"
    office.delete(url, headers={"If-Match": office.get(url).headers["ETag"]}).assert_status(204)
    assert _report_items(world) == []  # nothing is owed for an incident recorded in error


@time_machine.travel(RECORDED, tick=False)
def test_closing_needs_a_summary_and_a_major_incident_its_report(world):
    incident = _incident(world)
    url = f"{world.base}/platforms/incidents/{incident['id']}/closure"
    office = world.client("office")
    assert office.post(url, json={}).status_code == 422
    assert office.post(url, json={"summary": "  "}).status_code == 422
    unreported = office.post(url, json={"summary": "已處置完畢"})
    assert unreported.status_code == 409 and "timeline" in unreported.json["errors"]["json"]
    _step(world, incident["id"], "report", "08:58").assert_status(201)
    closed = office.post(url, json={"summary": "停播、封存、引導同步進行，輿情平息。"})
    assert closed.assert_status(200).json["status"] == "closed"
    assert _step(world, incident["id"], "handling", "08:59").status_code == 409


@time_machine.travel(RECORDED, tick=False)
def test_who_reads_and_handles_incidents(world):
    """Incidents are handled by the committee (P2): unit heads and branch secretaries
    neither read nor write them; viewers read; members write in their assigned units."""
    url = f"{world.base}/platforms/incidents"
    for role in ("unit_head", "branch_secretary", "tenant_admin"):
        assert world.client(role).get(url).status_code == 403, role
    assert world.client("viewer").get(url).status_code == 200
    body = {"unit_id": str(world.units["village-1"]), "title": "x", "category": "cult",
            "severity": "minor", "description": "x", "detected_at": at("2026-09-10", "08:00")}
    assert world.client("viewer").post(url, json=body).status_code == 403
    assert world.client("member").post(url, json=body).status_code == 403  # not assigned
    own = {**body, "unit_id": str(world.units["branch-1"])}
    world.client("member").post(url, json=own).assert_status(201)


@time_machine.travel(RECORDED, tick=False)
def test_an_incident_may_name_a_registered_channel_only(world, other_township):
    channel = register(world)
    assert _incident(world, channel_id=channel["id"])["channel_id"] == channel["id"]
    foreign = world.client("office").post(f"{world.base}/platforms/incidents", json={
        "unit_id": str(world.units["village-1"]), "title": "x", "category": "network",
        "severity": "minor", "description": "x", "detected_at": at("2026-09-10", "08:00"),
        "channel_id": str(other_township.units["village-1"])})
    assert foreign.status_code == 422 and "channel_id" in foreign.json["errors"]["json"]


@time_machine.travel(RECORDED, tick=False)
def test_incidents_are_described_for_other_modules(world):
    from zerenzhi import describe_reference

    incident = _incident(world)
    with world.scope() as sess:
        described = describe_reference(sess, "platforms.incident", incident["id"])
        assert described == {"type": "platforms.incident", "id": incident["id"],
                             "title": "廣播轉播未審核內容引發輿情", "status": "open"}
        assert describe_reference(sess, "platforms.incident", "nope") is None
