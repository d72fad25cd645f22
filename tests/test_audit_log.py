"""The hash-chained audit log: every write, who made it, and proof it was not edited
(docs/architecture.md, Audit; read by the secretary (M1), the deputy (M2) and viewers such as a
discipline inspector)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import update

from zerenzhi.audit.models import AuditEntry
from zerenzhi.audit.verify import verify_chain
from zerenzhi.db.session import make_engine

PASSWORD = "a long enough secret"


def entries(township, **query) -> list[dict]:
    """The township's audit log, newest first, as its secretary reads it."""
    query.setdefault("page_size", 100)
    return township.client("secretary").get(
        f"{township.base}/audit", query_string=query).assert_status(200).json


def newest_seq(township) -> int:
    log = entries(township, page_size=1)
    return log[0]["seq"] if log else 0


def entries_after(township, seq: int) -> list[dict]:
    return sorted((e for e in entries(township) if e["seq"] > seq), key=lambda e: e["seq"])


def username_of(township, role: str) -> str:
    return township.client(role).get("/api/v1/me").json["username"]


def new_branch(township, code: str, role: str = "secretary", **headers) -> dict:
    return township.client(role, **headers).post(f"{township.base}/units", json={
        "code": code, "name": f"{code} 支部", "kind": "branch",
        "parent_id": str(township.units["committee"]),
    }).assert_status(201).json


def test_creating_a_unit_leaves_one_entry_with_actor_and_request_id(township):
    start = newest_seq(township)
    request_id = f"req-{uuid.uuid4().hex}"
    client = township.client("office", **{"X-Request-ID": request_id})
    response = client.post(f"{township.base}/units", json={
        "code": "branch-3", "name": "第三黨支部", "kind": "branch",
        "parent_id": str(township.units["committee"])}).assert_status(201)
    assert response.headers["X-Request-ID"] == request_id

    (entry,) = entries_after(township, start)
    assert entry["action"] == "org_unit.create"
    assert entry["target_type"] == "org_unit"
    assert entry["target_id"] == response.json["id"]
    assert entry["before"] is None
    assert entry["after"]["code"] == "branch-3"
    assert entry["after"]["name"] == "第三黨支部"
    assert entry["actor"] == username_of(township, "office")
    assert entry["actor_id"] == str(township.users["office"])
    assert entry["request_id"] == request_id


def test_update_shows_only_the_changed_fields(township):
    client = township.client("secretary")
    url = f"{township.base}/units/{township.units['village-1']}"
    start = newest_seq(township)
    client.patch(url, json={"name": "東村居委會", "code": "village-1"},
                 headers={"If-Match": client.get(url).headers["ETag"]}).assert_status(200)
    (entry,) = entries_after(township, start)
    assert entry["action"] == "org_unit.update"
    assert entry["target_id"] == str(township.units["village-1"])
    assert entry["before"] == {"name": "東村村委會"}
    assert entry["after"] == {"name": "東村居委會"}


def test_archiving_is_audited_as_archive(township):
    client = township.client("secretary")
    url = f"{township.base}/units/{township.units['station-1']}"
    start = newest_seq(township)
    client.delete(url, headers={"If-Match": client.get(url).headers["ETag"]}).assert_status(204)
    (entry,) = entries_after(township, start)
    assert entry["action"] == "org_unit.archive"
    assert entry["before"] == {"archived_at": None}
    assert entry["after"]["archived_at"]


def test_user_and_position_writes_are_audited_row_by_row(township):
    admin = township.client("all")  # viewer and deputy need users.grant_leadership (0012)
    start = newest_seq(township)
    user = admin.post(f"{township.base}/users", json={
        "username": f"audit-{township.slug}", "display_name": "審計對象", "password": PASSWORD,
        "positions": [{"role": "viewer"},
                      {"role": "unit_head", "unit_id": str(township.units["village-1"])}],
    }).assert_status(201).json
    created = entries_after(township, start)
    assert sorted(e["action"] for e in created) == [
        "member.create", "position.create", "position.create", "user_account.create"]
    assert {e["target_id"] for e in created if e["action"] != "position.create"} == {user["id"]}

    start = newest_seq(township)
    position = admin.post(f"{township.base}/users/{user['id']}/positions",
                          json={"role": "deputy"}).assert_status(201).json
    (added,) = entries_after(township, start)
    assert (added["action"], added["target_id"]) == ("position.create", position["id"])
    assert added["after"]["role"] == "deputy"

    start = newest_seq(township)
    admin.delete(f"{township.base}/users/{user['id']}/positions/{position['id']}").assert_status(200)
    (ended,) = entries_after(township, start)
    assert ended["action"] == "position.update"
    assert list(ended["after"]) == ["ended_at"]


def test_password_hashes_never_reach_the_log(township):
    admin = township.client("tenant_admin")
    start = newest_seq(township)
    user = admin.post(f"{township.base}/users", json={
        "username": f"secret-{township.slug}", "display_name": "密碼", "password": PASSWORD,
    }).assert_status(201).json
    url = f"{township.base}/users/{user['id']}"
    admin.patch(url, json={"password": "another long secret"},
                headers={"If-Match": admin.get(url).headers["ETag"]}).assert_status(200)
    written = entries_after(township, start)
    reset = [e for e in written if e["action"] == "user_account.update"]
    assert len(reset) == 1
    assert set(reset[0]["after"]) == {"password_hash"}
    text = json.dumps(written, ensure_ascii=False)
    assert "$argon2" not in text
    assert PASSWORD not in text
    assert "another long secret" not in text


@pytest.mark.parametrize("role", ["secretary", "deputy", "viewer"])
def test_leaders_and_viewers_read_the_log(township, role):
    new_branch(township, "branch-3")
    log = township.client(role).get(f"{township.base}/audit").assert_status(200).json
    assert log[0]["action"] == "org_unit.create"


@pytest.mark.parametrize("role", ["branch_secretary", "tenant_admin", "office", "unit_head"])
def test_others_are_refused_the_log(township, role):
    township.client(role).get(f"{township.base}/audit").assert_status(403)


def test_log_filters_by_action_target_and_time(township):
    units = [new_branch(township, f"branch-{n}") for n in (3, 4, 5)]
    client = township.client("secretary")
    url = f"{township.base}/units/{units[0]['id']}"
    client.patch(url, json={"name": "改名"},
                 headers={"If-Match": client.get(url).headers["ETag"]}).assert_status(200)

    creates = entries(township, action="org_unit.create")
    assert {e["action"] for e in creates} == {"org_unit.create"}
    assert {u["id"] for u in units} <= {e["target_id"] for e in creates}

    on_first = entries(township, target_id=units[0]["id"])
    assert [e["action"] for e in on_first] == ["org_unit.update", "org_unit.create"]

    first, second, third = sorted((e for e in creates if e["target_id"] in
                                   {u["id"] for u in units}), key=lambda e: e["seq"])
    beijing = dt.timezone(dt.timedelta(hours=8))

    def local(entry) -> str:
        return dt.datetime.fromisoformat(entry["at"]).astimezone(beijing).isoformat()

    window = entries(township, **{"from": local(second), "to": local(third)})
    assert [e["seq"] for e in window] == [second["seq"]]
    since = entries(township, **{"from": local(second)})
    assert {second["seq"], third["seq"]} <= {e["seq"] for e in since}
    assert first["seq"] not in {e["seq"] for e in since}


def test_rejected_requests_add_no_entry(township):
    start = newest_seq(township)
    secretary = township.client("secretary")
    body = {"code": "branch-1", "name": "重複", "kind": "branch",
            "parent_id": str(township.units["committee"])}
    secretary.post(f"{township.base}/units", json=body).assert_status(409)
    secretary.post(f"{township.base}/units", json={**body, "code": "x-1",
                   "parent_id": str(uuid.uuid4())}).assert_status(422)
    township.client("branch_secretary").post(
        f"{township.base}/units", json={**body, "code": "x-2"}).assert_status(403)
    url = f"{township.base}/units/{township.units['office']}"
    secretary.patch(url, json={"name": "x"}, headers={"If-Match": '"stale"'}).assert_status(412)
    township.client("tenant_admin").post(f"{township.base}/users", json={
        "username": f"bad-{township.slug}", "display_name": "x", "password": PASSWORD,
        "positions": [{"role": "branch_secretary"}]}).assert_status(422)
    assert newest_seq(township) == start


def test_chain_verifies_and_reveals_an_edited_entry(township):
    new_branch(township, "branch-3")
    seen = entries(township)
    with township.scope() as sess:
        assert verify_chain(sess) == (len(seen), None)

    target = next(e for e in seen if e["action"] == "org_unit.create")
    owner = make_engine(township.app.config["MIGRATION_DATABASE_URL"])
    try:
        with owner.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SET LOCAL app.tenant_id = '{township.tenant_id}'")
            table = AuditEntry.__table__
            edited = connection.execute(
                update(table)
                .where(table.c.tenant_id == township.tenant_id, table.c.seq == target["seq"])
                .values(after={**target["after"], "name": "篡改"}))
            assert edited.rowcount == 1
    finally:
        owner.dispose()

    with township.scope() as sess:
        checked, broken = verify_chain(sess)
    assert broken is not None
    assert broken.seq == target["seq"]
    assert "edited" in broken.reason
    assert checked == target["seq"]
