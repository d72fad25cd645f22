"""W6 as the township lives it: "whoever organises is responsible, whoever approves
supervises" — a major activity needs the committee's approval before it starts and a
filing with the higher level; an approval after the start is flagged and never counts."""

from __future__ import annotations

import datetime as dt

CST = dt.timezone(dt.timedelta(hours=8))
RULE = "approvals.prior_approval"


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=CST)


def details(world, unit: str = "station-1", start: str = "2026-06-10", **changes) -> dict:
    body = {
        "kind": "lecture", "organiser_unit_id": str(world.units[unit]),
        "responsible_person": "田站長", "title": "二十屆四中全會精神宣講報告會",
        "starts_at": at(start, 14).isoformat(), "ends_at": at(start, 16).isoformat(),
        "venue": "綜合文化站多功能廳", "summary": "區委宣講團專題宣講",
        "expected_participants": 120,
    }
    return {**body, **changes}


def w6_item(world, application_id: str, period: str = "2026") -> dict:
    summary = world.client("secretary").get(
        f"{world.base}/obligations/summary?period={period}").assert_status(200).json
    return next(i for i in summary["items"] if i["rule"] == RULE
                and i["trigger"] and i["trigger"]["id"] == application_id)


class Steps:
    """The workflow through the API, each step at a moment of the township's life."""

    def __init__(self, world, time_machine) -> None:
        self.world, self.tm = world, time_machine
        self.url = f"{world.base}/approvals/applications"

    def create(self, when: dt.datetime, role: str = "office", **changes) -> dict:
        self.tm.move_to(when)
        return self.world.client(role).post(self.url, json=details(self.world, **changes)) \
            .assert_status(201).json

    def submit(self, app_id: str, when: dt.datetime, role: str = "office") -> dict:
        self.tm.move_to(when)
        return self.world.client(role).post(f"{self.url}/{app_id}/submit", json={}) \
            .assert_status(200).json

    def decide(self, app_id: str, when: dt.datetime, decision: str = "approved",
               role: str = "secretary", **extra):
        self.tm.move_to(when)
        body = {"decision": decision, "decided_by": str(self.world.users["secretary"]), **extra}
        return self.world.client(role).post(f"{self.url}/{app_id}/decision", json=body)

    def file(self, app_id: str, when: dt.datetime, role: str = "office", **extra):
        self.tm.move_to(when)
        body = {"reference": "龍宣備〔2026〕18號", "filed_with": "區委宣傳部", **extra}
        return self.world.client(role).post(f"{self.url}/{app_id}/filing", json=body)


def test_approval_before_the_start_and_a_filing_fulfil_w6(approvals, time_machine):
    """W6: approved by the committee before the activity, then filed upward: fulfilled."""
    steps = Steps(approvals, time_machine)
    app = steps.create(at("2026-05-20"))
    assert app["status"] == "draft" and app["kind_label"] == "讲座"
    assert not any(i["rule"] == RULE for i in approvals.client("secretary").get(
        f"{approvals.base}/obligations/summary?period=2026").json["items"])  # drafts owe nothing
    submitted = steps.submit(app["id"], at("2026-05-25"))
    assert submitted["status"] == "submitted" and submitted["short_notice"] is False
    item = w6_item(approvals, app["id"])
    assert (item["status"], item["source"], item["responsible_role"]) == (
        "upcoming", "W6", "secretary")
    assert item["due_at"].startswith("2026-06-10T06:00:00")  # the planned start, in UTC
    assert item["unit_id"] == str(approvals.units["committee"])

    approved = steps.decide(app["id"], at("2026-05-28"), conditions="講稿提前審閱")
    assert approved.assert_status(200).json["status"] == "approved"
    assert approved.json["approved_late"] is False
    assert w6_item(approvals, app["id"])["status"] == "due_soon"  # approval alone is not W6

    filed = steps.file(app["id"], at("2026-06-01")).assert_status(200).json
    assert (filed["status"], filed["filed_with"]) == ("filed", "區委宣傳部")
    item = w6_item(approvals, app["id"])
    assert item["status"] == "fulfilled"
    assert item["fulfilled_at"].startswith("2026-06-01T01:00:00")  # the later of the two
    assert item["evidence"]["id"] == app["id"]

    time_machine.move_to(at("2026-06-11"))
    held = approvals.client("office").post(f"{steps.url}/{app['id']}/outcome",
                                           json={"outcome": "held", "note": "到會118人"})
    assert held.assert_status(200).json["status"] == "held"
    assert w6_item(approvals, app["id"])["status"] == "fulfilled"


def test_filing_may_follow_the_start_but_approval_may_not(approvals, time_machine):
    """W6: the evidence is dated by the later of approval and filing."""
    steps = Steps(approvals, time_machine)
    app = steps.create(at("2026-05-20"))
    steps.submit(app["id"], at("2026-05-21"))
    steps.decide(app["id"], at("2026-06-01")).assert_status(200)
    steps.file(app["id"], at("2026-06-15")).assert_status(200)
    item = w6_item(approvals, app["id"])
    assert item["status"] == "fulfilled" and item["fulfilled_at"].startswith("2026-06-15")


def test_an_approval_after_the_start_is_flagged_and_never_counts(approvals, time_machine):
    """W6: the activity started before the committee approved it — flagged late, overdue."""
    steps = Steps(approvals, time_machine)
    on_time = steps.create(at("2026-05-01"), title="按時審批的講座")
    steps.submit(on_time["id"], at("2026-05-02"))
    steps.decide(on_time["id"], at("2026-05-03")).assert_status(200)
    late = steps.create(at("2026-06-05"), kind="forum", unit="village-1", title="村民議事論壇")
    steps.submit(late["id"], at("2026-06-08"))
    decided = steps.decide(late["id"], at("2026-06-10", 15)).assert_status(200).json
    assert decided["approved_late"] is True and decided["status"] == "approved"
    steps.file(late["id"], at("2026-06-11")).assert_status(200)
    assert w6_item(approvals, late["id"])["status"] == "overdue"

    flagged = approvals.client("viewer").get(f"{steps.url}?flag=late").assert_status(200).json
    assert [a["id"] for a in flagged] == [late["id"]]
    assert approvals.client("viewer").get(f"{steps.url}?status=approved").json[0]["id"] \
        == on_time["id"]


def test_rejection_needs_no_filing_and_cannot_be_filed(approvals, time_machine):
    """W6: the committee may refuse; a rejected activity is neither filed nor held."""
    steps = Steps(approvals, time_machine)
    app = steps.create(at("2026-05-01"), kind="religious_related")
    steps.submit(app["id"], at("2026-05-02"))
    rejected = steps.decide(app["id"], at("2026-05-04"), "rejected",
                            role="deputy", decided_by=str(approvals.users["deputy"]),
                            conditions="不符合場地管理規定").assert_status(200).json
    assert (rejected["status"], rejected["approved_late"]) == ("rejected", False)
    assert steps.file(app["id"], at("2026-05-05")).status_code == 409
    assert steps.decide(app["id"], at("2026-05-05")).status_code == 409  # decided once
    item = w6_item(approvals, app["id"])
    assert item["status"] != "fulfilled"  # a refusal leaves it to be waived by a leader


def test_editing_the_filing_and_archiving_move_the_ledger(approvals, time_machine):
    steps = Steps(approvals, time_machine)
    app = steps.create(at("2026-05-01"))
    steps.submit(app["id"], at("2026-05-02"))
    steps.decide(app["id"], at("2026-05-03")).assert_status(200)
    steps.file(app["id"], at("2026-05-04")).assert_status(200)
    assert w6_item(approvals, app["id"])["fulfilled_at"].startswith("2026-05-04")
    corrected = steps.file(app["id"], at("2026-05-09"), reference="龍宣備〔2026〕19號",
                           filed_at=at("2026-05-06").isoformat()).assert_status(200).json
    assert corrected["filing_reference"] == "龍宣備〔2026〕19號"
    assert w6_item(approvals, app["id"])["fulfilled_at"].startswith("2026-05-06")

    office = approvals.client("office")
    etag = office.get(f"{steps.url}/{app['id']}").assert_status(200).headers["ETag"]
    assert office.delete(f"{steps.url}/{app['id']}",
                         headers={"If-Match": '"stale"'}).status_code == 412
    office.delete(f"{steps.url}/{app['id']}", headers={"If-Match": etag}).assert_status(204)
    assert w6_item(approvals, app["id"])["status"] == "upcoming"  # counts for nothing now
    assert office.get(steps.url).json == []
    archived = office.get(f"{steps.url}?include_archived=true").json
    assert archived[0]["archived_at"] is not None
    assert steps.file(app["id"], at("2026-05-10")).status_code == 409


def test_drafts_change_until_submitted(approvals, time_machine):
    steps = Steps(approvals, time_machine)
    app = steps.create(at("2026-05-01"))
    office, url = approvals.client("office"), f"{steps.url}/{app['id']}"
    etag = office.get(url).headers["ETag"]
    changed = office.patch(url, json={"title": "宣講報告會（調整）", "expected_participants": 90},
                           headers={"If-Match": etag}).assert_status(200).json
    assert (changed["title"], changed["expected_participants"]) == ("宣講報告會（調整）", 90)
    bad = office.patch(url, json={"ends_at": at("2026-06-01").isoformat()},
                       headers={"If-Match": office.get(url).headers["ETag"]})
    assert bad.status_code == 422 and "ends_at" in bad.json["errors"]["json"]
    steps.submit(app["id"], at("2026-05-02"))
    frozen = office.patch(url, json={"title": "x"}, headers={"If-Match": office.get(url)
                                                             .headers["ETag"]})
    assert frozen.status_code == 409
    assert office.post(f"{url}/submit", json={}).status_code == 409


def test_short_notice_is_flagged_by_the_township_setting(approvals, time_machine):
    """W6 'prior': a township asks for 14 days' notice; three days is flagged, not refused."""
    approvals.client("tenant_admin").put(f"{approvals.base}/plugins/approvals", json={
        "settings": {"min_notice_days": 14}}).assert_status(200)
    steps = Steps(approvals, time_machine)
    early = steps.create(at("2026-05-01"), title="提前報批")
    hurried = steps.create(at("2026-06-07"), title="臨時報批")
    assert steps.submit(early["id"], at("2026-05-02"))["short_notice"] is False
    assert steps.submit(hurried["id"], at("2026-06-07"))["short_notice"] is True
    flagged = approvals.client("office").get(f"{steps.url}?flag=short_notice").json
    assert [a["id"] for a in flagged] == [hurried["id"]]


def test_held_and_cancelled_follow_the_workflow(approvals, time_machine):
    steps = Steps(approvals, time_machine)
    app = steps.create(at("2026-05-01"))
    office, url = approvals.client("office"), f"{steps.url}/{app['id']}/outcome"
    assert office.post(url, json={"outcome": "held"}).status_code == 409  # a draft
    steps.submit(app["id"], at("2026-05-02"))
    steps.decide(app["id"], at("2026-05-03")).assert_status(200)
    early = office.post(url, json={"outcome": "held"})
    assert early.status_code == 422 and "outcome" in early.json["errors"]["json"]
    cancelled = office.post(url, json={"outcome": "cancelled", "note": "汛期改期"})
    assert cancelled.assert_status(200).json["status"] == "cancelled"
    assert office.post(url, json={"outcome": "cancelled"}).status_code == 409


def test_the_leader_recording_the_decision_is_its_decider_by_default(approvals, time_machine):
    """W6 "whoever approves supervises": without decided_by, the caller decided."""
    steps = Steps(approvals, time_machine)
    app = steps.create(at("2026-05-01"))
    steps.submit(app["id"], at("2026-05-02"))
    time_machine.move_to(at("2026-05-04"))
    decided = approvals.client("deputy").post(
        f"{steps.url}/{app['id']}/decision", json={"decision": "approved"})
    assert decided.assert_status(200).json["decided_by"] == str(approvals.users["deputy"])
