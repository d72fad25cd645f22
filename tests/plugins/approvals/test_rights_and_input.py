"""Who may do what in W6, what bad input gets, the module's settings, its link type, its
county metric and its demo records."""

from __future__ import annotations

import uuid

import pytest

from tests.plugins.approvals.test_applications import RULE, Steps, at, details
from zerenzhi import Period, describe_reference
from zerenzhi.plugins.approvals import plugin
from zerenzhi.plugins.approvals.models import Application


@pytest.fixture
def url(approvals) -> str:
    return f"{approvals.base}/approvals/applications"


def test_bad_input_is_422_with_field_errors_and_records_nothing(approvals, other_township,
                                                                 url, time_machine):
    time_machine.move_to(at("2026-05-01"))
    office = approvals.client("office")
    cases = {
        "title": details(approvals, title=""),
        "kind": details(approvals, kind="rally"),
        "organiser_unit_id": details(approvals, organiser_unit_id=str(
            other_township.units["station-1"])),
        "ends_at": details(approvals, ends_at=at("2026-06-09").isoformat()),
        "expected_participants": details(approvals, expected_participants=0),
        "starts_at": details(approvals, starts_at="2026-06-10T14:00:00"),  # no time zone
        "mood": {**details(approvals), "mood": "good"},
    }
    for field, body in cases.items():
        response = office.post(url, json=body)
        assert response.status_code == 422, field
        assert field in response.json["errors"]["json"], (field, response.json)
    incomplete = office.post(url, json={}).json["errors"]["json"]
    assert {"kind", "title", "starts_at", "organiser_unit_id"} <= set(incomplete)
    assert office.get(url).json == []


def test_decisions_need_a_sitting_leader_and_a_real_date(approvals, time_machine):
    """M1–M2 / W6: the committee's secretary or a deputy decides, on a date that happened."""
    steps = Steps(approvals, time_machine)
    app = steps.create(at("2026-05-01"))
    assert steps.decide(app["id"], at("2026-05-01", 10)).status_code == 409  # not submitted
    steps.submit(app["id"], at("2026-05-02"))
    for extra, field in (
        ({"decided_by": str(approvals.users["branch_secretary"])}, "decided_by"),
        ({"decided_by": str(uuid.uuid4())}, "decided_by"),
        ({"decided_at": at("2026-05-09").isoformat()}, "decided_at"),  # the future
        ({"decided_at": at("2026-04-30").isoformat()}, "decided_at"),  # before submission
    ):
        response = steps.decide(app["id"], at("2026-05-03"), **extra)
        assert response.status_code == 422 and field in response.json["errors"]["json"], extra
    assert approvals.client("office").get(f"{steps.url}/{app['id']}").json["status"] == \
        "submitted"
    approved = steps.decide(app["id"], at("2026-05-03"))
    assert approved.assert_status(200).json["decided_by"] == str(approvals.users["secretary"])
    too_early = steps.file(app["id"], at("2026-05-04"), filed_at=at("2026-05-02").isoformat())
    assert too_early.status_code == 422 and "filed_at" in too_early.json["errors"]["json"]


def test_organisers_write_only_for_their_own_unit(approvals, url, time_machine):
    """W6 'whoever organises is responsible' within the org tree's write scope (W4)."""
    time_machine.move_to(at("2026-05-01"))
    branch = approvals.client("branch_secretary")  # posted at branch-1
    own = branch.post(url, json=details(approvals, unit="branch-1")).assert_status(201).json
    assert branch.post(url, json=details(approvals, unit="branch-2")).status_code == 403
    head = approvals.client("unit_head")  # posted at village-1
    theirs = head.post(url, json=details(approvals, unit="village-1")).assert_status(201).json
    assert branch.post(f"{url}/{theirs['id']}/submit", json={}).status_code == 403
    etag = branch.get(f"{url}/{theirs['id']}").headers["ETag"]
    assert branch.patch(f"{url}/{theirs['id']}", json={"title": "x"},
                        headers={"If-Match": etag}).status_code == 403
    branch.post(f"{url}/{own['id']}/submit", json={}).assert_status(200)
    # whoever approves supervises: organisers neither decide nor file
    decision = {"decision": "approved", "decided_by": str(approvals.users["secretary"])}
    assert branch.post(f"{url}/{own['id']}/decision", json=decision).status_code == 403
    assert approvals.client("office").post(f"{url}/{own['id']}/decision",
                                           json=decision).status_code == 403
    approvals.client("deputy").post(f"{url}/{own['id']}/decision",
                                    json=decision).assert_status(200)
    filing = {"reference": "龍宣備〔2026〕3號", "filed_with": "區委宣傳部"}
    assert branch.post(f"{url}/{own['id']}/filing", json=filing).status_code == 403
    approvals.client("office").post(f"{url}/{own['id']}/filing", json=filing).assert_status(200)


@pytest.mark.parametrize("role,reads,writes", [
    ("secretary", True, True), ("deputy", True, True), ("office", True, True),
    ("member", True, False), ("branch_secretary", True, False), ("unit_head", True, False),
    ("viewer", True, False), ("tenant_admin", False, False),
])
def test_permissions_per_role(approvals, url, role, reads, writes, time_machine):
    """Roles of docs/domain.md: everyone with business rights reads; the viewer only reads;
    the township administrator manages users and modules, not activities."""
    time_machine.move_to(at("2026-05-01"))
    client = approvals.client(role)
    assert (client.get(url).status_code == 200) is reads
    created = client.post(url, json=details(approvals, unit="station-1"))
    # member, branch_secretary and unit_head hold the right, but not for station-1
    assert (created.status_code == 201) is writes, created.json


def test_settings_are_validated(township):
    admin = township.client("tenant_admin")
    url = f"{township.base}/plugins/approvals"
    for bad in ({"min_notice_days": -1}, {"min_notice_days": 181}, {"min_notice_days": "x"},
                {"notice": 3}):
        assert admin.put(url, json={"settings": bad}).status_code == 422, bad
    state = admin.put(url, json={"settings": {}}).assert_status(200).json
    assert state["settings"] == {"min_notice_days": 7}
    catalogue = township.client("viewer").get(f"{township.base}/approvals/catalogue",
                                              headers={"Accept-Language": "en"})
    kinds = {k["key"]: k["label"] for k in catalogue.assert_status(200).json["kinds"]}
    assert kinds["foreign_cultural_exchange"] == "Foreign cultural exchange"
    assert len(kinds) == 8 and catalogue.json["min_notice_days"] == 7


def test_disabled_module_is_absent(township):
    response = township.client("office").get(f"{township.base}/approvals/applications")
    assert response.status_code == 404 and "approvals" in response.json["message"]


def test_reference_and_county_metric(approvals, time_machine):
    """Other modules link an application by reference; the county counts late approvals."""
    steps = Steps(approvals, time_machine)
    app = steps.create(at("2026-06-01"))
    steps.submit(app["id"], at("2026-06-02"))
    steps.decide(app["id"], at("2026-06-11")).assert_status(200)
    metric = next(m for m in plugin.register_rollup_metrics() if m.key == "approvals.approved_late")
    with approvals.scope() as session:
        described = describe_reference(session, "approvals.application", app["id"])
        assert described["title"] == app["title"] and described["approved_late"] is True
        assert describe_reference(session, "approvals.application", "nonsense") is None
        assert describe_reference(session, "approvals.application", str(uuid.uuid4())) is None
        june = Period(at("2026-06-01").date(), at("2026-06-30").date(), "month", "2026-06")
        may = Period(at("2026-05-01").date(), at("2026-05-31").date(), "month", "2026-05")
        assert (metric.compute(session, june), metric.compute(session, may)) == (1, 0)


def test_demo_data_shows_approvals_before_and_after_the_fact(approvals, time_machine):
    time_machine.move_to(at("2026-11-26"))
    with approvals.scope() as session:
        plugin.demo_data(session=session, tenant=None, settings={"min_notice_days": 7})
        plugin.demo_data(session=session, tenant=None, settings={"min_notice_days": 7})  # once
        session.commit()
        assert len(session.query(Application).all()) == 5
    listed = approvals.client("viewer").get(f"{approvals.base}/approvals/applications").json
    assert {a["status"] for a in listed} == {"held", "approved", "submitted", "draft"}
    late = approvals.client("viewer").get(
        f"{approvals.base}/approvals/applications?flag=late").json
    assert [a["kind"] for a in late] == ["forum"]
    summary = approvals.client("secretary").get(
        f"{approvals.base}/obligations/summary?period=2026").json
    statuses = sorted(i["status"] for i in summary["items"] if i["rule"] == RULE)
    assert statuses == ["due_soon", "fulfilled", "overdue", "overdue"]
