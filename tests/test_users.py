"""A township's users and the posts they hold (docs/domain.md roles; tenant_admin manages users)."""

from __future__ import annotations

import json

from zerenzhi.testing import ApiClient

PASSWORD = "a long enough secret"


def user_body(township, name: str, positions: list) -> dict:
    return {"username": f"{name}-{township.slug}", "display_name": name,
            "password": PASSWORD, "positions": positions}


def user_count(township) -> int:
    response = township.client("tenant_admin").get(f"{township.base}/users?include_archived=true")
    return json.loads(response.assert_status(200).headers["X-Pagination"])["total"]


def log_in(app, username: str):
    return ApiClient(app).post("/api/v1/auth/tokens",
                               json={"username": username, "password": PASSWORD})


def test_tenant_admin_creates_a_branch_secretary(township):
    """A branch_secretary (W2, W3) is posted to their own branch."""
    admin = township.client("tenant_admin")
    branch = str(township.units["branch-2"])
    created = admin.post(f"{township.base}/users", json=user_body(township, "chen", [
        {"role": "branch_secretary", "unit_id": branch}, {"role": "member", "unit_id": branch},
    ])).assert_status(201).json
    assert created["username"] == f"chen-{township.slug}"
    assert "password" not in created
    assert sorted((p["role"], p["unit_id"]) for p in created["positions"]) == [
        ("branch_secretary", branch), ("member", branch)]

    fetched = admin.get(f"{township.base}/users/{created['id']}").assert_status(200).json
    assert fetched["positions"] == created["positions"]
    me = ApiClient(township.app, log_in(township.app, created["username"]).json["access_token"])
    assert {p["unit_code"] for p in me.get("/api/v1/me").json["positions"]} == {"branch-2"}


def test_branch_secretary_without_a_unit_is_refused(township):
    before = user_count(township)
    refused = township.client("tenant_admin").post(
        f"{township.base}/users",
        json=user_body(township, "lin", [{"role": "branch_secretary"}]),
    ).assert_status(422)
    assert "unit_id" in refused.json["errors"]["json"]
    assert user_count(township) == before
    log_in(township.app, f"lin-{township.slug}").assert_status(401)


def test_unit_of_another_township_is_refused(township, other_township):
    before = user_count(township)
    refused = township.client("tenant_admin").post(
        f"{township.base}/users",
        json=user_body(township, "he", [
            {"role": "unit_head", "unit_id": str(other_township.units["village-1"])}]),
    ).assert_status(422)
    assert "unit_id" in refused.json["errors"]["json"]
    assert user_count(township) == before


def test_county_role_cannot_be_held_in_a_township(township):
    township.client("tenant_admin").post(
        f"{township.base}/users",
        json=user_body(township, "guo", [{"role": "county_admin"}]),
    ).assert_status(422)


def test_duplicate_username_is_a_conflict_across_townships(township, other_township):
    body = user_body(township, "luo", [])
    township.client("tenant_admin").post(f"{township.base}/users", json=body).assert_status(201)
    before = user_count(township)
    township.client("tenant_admin").post(
        f"{township.base}/users", json=body).assert_status(409)
    other_township.client("tenant_admin").post(
        f"{other_township.base}/users", json=body).assert_status(409)
    assert user_count(township) == before


def test_ended_position_stays_in_the_history(township):
    """Responsibility follows the post; history keeps who held it (docs/architecture.md)."""
    admin = township.client("tenant_admin")
    url = f"{township.base}/users/{township.users['unit_head']}/positions"
    (position,) = admin.get(url).assert_status(200).json
    assert position["ended_at"] is None

    ended = admin.delete(f"{url}/{position['id']}").assert_status(200).json
    assert ended["ended_at"] is not None
    assert admin.get(url).json == []
    (history,) = admin.get(f"{url}?include_ended=true").assert_status(200).json
    assert history["id"] == position["id"]
    assert history["ended_at"] == ended["ended_at"]

    added = admin.post(url, json={"role": "unit_head", "unit_id": str(
        township.units["station-1"])}).assert_status(201).json
    assert [p["id"] for p in admin.get(url).json] == [added["id"]]
    assert len(admin.get(f"{url}?include_ended=true").json) == 2


def test_position_of_another_township_user_is_not_found(township, other_township):
    admin = township.client("tenant_admin")
    foreign = other_township.users["unit_head"]
    admin.get(f"{township.base}/users/{foreign}").assert_status(404)
    admin.post(f"{township.base}/users/{foreign}/positions",
               json={"role": "viewer"}).assert_status(404)


def test_disabled_user_can_no_longer_log_in(township):
    admin = township.client("tenant_admin")
    created = admin.post(f"{township.base}/users",
                         json=user_body(township, "xu", [{"role": "office"}])).json
    token = log_in(township.app, created["username"]).assert_status(201).json["access_token"]
    url = f"{township.base}/users/{created['id']}"
    admin.patch(url, json={"disabled": True}).assert_status(428)
    disabled = admin.patch(url, json={"disabled": True},
                           headers={"If-Match": admin.get(url).headers["ETag"]})
    assert disabled.assert_status(200).json["archived_at"] is not None

    log_in(township.app, created["username"]).assert_status(401)
    ApiClient(township.app, token).get("/api/v1/me").assert_status(401)

    admin.patch(url, json={"disabled": False},
                headers={"If-Match": admin.get(url).headers["ETag"]}).assert_status(200)
    log_in(township.app, created["username"]).assert_status(201)


def test_branch_secretary_cannot_read_users(township):
    client = township.client("branch_secretary")
    client.get(f"{township.base}/users").assert_status(403)
    client.get(f"{township.base}/users/{township.users['secretary']}").assert_status(403)
    township.client("secretary").get(f"{township.base}/users").assert_status(200)


def test_only_the_tenant_admin_manages_users(township):
    township.client("secretary").post(
        f"{township.base}/users", json=user_body(township, "ma", [])).assert_status(403)
