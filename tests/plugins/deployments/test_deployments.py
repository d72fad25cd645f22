"""W1 from every level (issue 16, item 7): 黨中央, 省委, 市委 and 縣委 deployments recorded by
the township, each task an event obligation due at its deadline, fulfilled by its
completion record."""

from __future__ import annotations

import time_machine

NOW = "2026-05-10T09:00:00+08:00"


def _deploy(world, role="office", **changes):
    body = {"level": "province", "document_number": "省委宣發〔2026〕7號",
            "issued_on": "2026-05-04", "title": "關於加強網絡意識形態陣地管理的通知",
            "tasks": [{"title": "排查網絡平臺賬號", "due_on": "2026-05-20"},
                      {"title": "組織支部專題學習", "unit_id": str(world.units["branch-1"])},
                      ]} | changes
    return world.client(role).post(f"{world.base}/deployments/deployments", json=body)


def _tasks(world):
    items = world.client("secretary").get(
        f"{world.base}/calendar?from=2026-01-01&to=2026-12-31&rule=deployments.task"
    ).assert_status(200).json
    return {i["trigger"]["id"]: i for i in items}


@time_machine.travel(NOW, tick=False)
def test_w1_each_task_is_owed_by_its_deadline(deploying):
    world = deploying
    deployment = _deploy(world).assert_status(201).json
    first, second = deployment["tasks"]  # by deadline: a task without one comes last
    owed = _tasks(world)
    assert owed[first["id"]]["due_on"] == "2026-05-20"
    assert owed[first["id"]]["unit_code"] == "committee"
    assert owed[first["id"]]["source"] == "W1"
    assert owed[first["id"]]["responsible_role"] == "secretary"
    # none set: the rule's default, 30 days from the issue (a number not in the text)
    assert owed[second["id"]]["due_on"] == "2026-06-03"
    assert owed[second["id"]]["responsible_role"] == "branch_secretary"
    rule = world.client("secretary").get(f"{world.base}/rules/deployments.task").json
    assert rule["source"] == "W1" and rule["defaults_not_in_text"] == ["deadline_hours"]


@time_machine.travel(NOW, tick=False)
def test_w1_completion_fulfils_and_only_its_unit_reports_it(deploying):
    world = deploying
    first, second = _deploy(world).assert_status(201).json["tasks"]
    done = {"completed_on": "2026-05-09", "completion": "已排查並建立台賬"}
    url = f"{world.base}/deployments/tasks/{{}}/completion"
    world.client("branch_secretary").put(url.format(first["id"]), json=done).assert_status(403)
    world.client("office").put(url.format(first["id"]), json=done).assert_status(200)
    world.client("branch_secretary").put(url.format(second["id"]), json=done).assert_status(200)
    owed = _tasks(world)
    assert owed[first["id"]]["status"] == "fulfilled"
    assert owed[second["id"]]["status"] == "fulfilled"


def test_w1_a_late_completion_stays_late_and_an_open_task_goes_overdue(deploying):
    world = deploying
    with time_machine.travel(NOW, tick=False):
        first, second = _deploy(world).assert_status(201).json["tasks"]
    with time_machine.travel("2026-06-10T09:00:00+08:00", tick=False):
        world.client("office").put(
            f"{world.base}/deployments/tasks/{first['id']}/completion",
            json={"completed_on": "2026-05-25", "completion": "完成"}).assert_status(200)
        owed = _tasks(world)
    assert owed[first["id"]]["status"] == "fulfilled"
    assert owed[first["id"]]["fulfilled_at"] > owed[first["id"]]["due_at"]  # late, and shown
    assert owed[second["id"]]["status"] == "overdue"


@time_machine.travel(NOW, tick=False)
def test_w1_every_level_and_withdrawal(deploying):
    world = deploying
    for level in ("central", "province", "city", "county"):
        _deploy(world, level=level).assert_status(201)
    listed = world.client("viewer").get(
        f"{world.base}/deployments/deployments?level=county").assert_status(200).json
    assert [d["level"] for d in listed] == ["county"]
    row = world.client("office").get(f"{world.base}/deployments/deployments/{listed[0]['id']}")
    world.client("office").delete(f"{world.base}/deployments/deployments/{listed[0]['id']}",
                                  headers={"If-Match": row.headers["ETag"]}).assert_status(204)
    assert not {t["id"] for t in listed[0]["tasks"]} & set(_tasks(world))
    assert len(_tasks(world)) == 6


@time_machine.travel(NOW, tick=False)
def test_w1_evidence_proves_what_it_claims(deploying):
    world = deploying
    for changes, field in (({"issued_on": "2026-06-01"}, "issued_on"),
                           ({"level": "township"}, "level"),
                           ({"document_number": "  "}, "document_number"),
                           ({"tasks": []}, "tasks")):
        response = _deploy(world, **changes).assert_status(422)
        assert field in response.json["errors"]["json"], response.json
    early = _deploy(world, tasks=[{"title": "x", "due_on": "2026-05-01"}]).assert_status(422)
    assert "tasks.0.due_on" in early.json["errors"]["json"]
    _deploy(world, role="branch_secretary").assert_status(403)
