"""Who may post whom to which role (decision 0012): the township admin keeps the accounts and
the ordinary posts; the leaders and the roles that read accountability cases are posted only by
holders of ``users.grant_leadership``; nobody posts themselves; every post is audited."""

from __future__ import annotations

import pytest

from zerenzhi.auth.catalogue import CORE_PERMISSIONS
from zerenzhi.auth.grants import GRANT, GRANT_LEADERSHIP, ROLE_GRANTS, grantable_roles
from zerenzhi.auth.roles import ROLES, TOWNSHIP_ROLES

PASSWORD = "a long enough secret"
HOLDERS = {p.name: set(p.roles) for p in CORE_PERMISSIONS}


def may_grant(role: str) -> frozenset[str]:
    """What the table lets ``role`` grant, through the permissions the catalogue gives it."""
    return grantable_roles(name for name, roles in HOLDERS.items() if role in roles)


def post_body(township, role: str) -> dict:
    unit = township.units["branch-2"] if ROLES[role].needs_unit else None
    return {"role": role, "unit_id": str(unit) if unit else None}


def test_the_table_reserves_leaders_and_case_readers():
    """The rule as the issue states it, so the table cannot drift into the escalation."""
    assert set(ROLE_GRANTS[GRANT_LEADERSHIP]) == {"secretary", "deputy", "viewer"}
    assert HOLDERS[GRANT_LEADERSHIP] == {"secretary", "county_admin"}
    assert may_grant("tenant_admin") == {
        "office", "member", "branch_secretary", "branch_committee_member", "unit_head",
        "tenant_admin"}
    assert may_grant("secretary") == set(TOWNSHIP_ROLES)
    every = {role for roles in ROLE_GRANTS.values() for role in roles}
    assert every == set(TOWNSHIP_ROLES)  # every township role has a grantor


@pytest.mark.parametrize("granter", TOWNSHIP_ROLES)
def test_each_role_grants_exactly_what_the_table_says(township, granter):
    client = township.client(granter)
    subject = township.users["subject"]
    url = f"{township.base}/users/{subject}/positions"
    reader = township.client("secretary")
    for role in TOWNSHIP_ROLES:
        before = reader.get(url).assert_status(200).json
        response = client.post(url, json=post_body(township, role))
        if GRANT not in {name for name, roles in HOLDERS.items() if granter in roles}:
            response.assert_status(403)  # the route itself is closed to them
        elif role in may_grant(granter):
            created = response.assert_status(201).json
            assert created["role"] == role
            (entry,) = reader.get(f"{township.base}/audit?target_type=position"
                                  f"&target_id={created['id']}").assert_status(200).json
            assert entry["actor_id"] == str(township.users[granter])
            assert entry["after"]["role"] == role
            continue
        else:
            refused = response.assert_status(403).json
            assert refused["errors"] == {"json": {"role": [refused["message"]]}}
        assert reader.get(url).json == before, f"{granter} refused {role}, yet it changed"


@pytest.mark.parametrize("granter", ["tenant_admin", "secretary", "all"])
def test_nobody_grants_a_role_to_themselves(township, granter):
    url = f"{township.base}/users/{township.users[granter]}/positions"
    client = township.client(granter)
    before = township.client("secretary").get(url).json
    for role in ("office", "viewer", "secretary"):
        refused = client.post(url, json=post_body(township, role)).assert_status(403).json
        assert "role" in refused["errors"]["json"]
    assert township.client("secretary").get(url).json == before


def test_the_admin_can_no_longer_escalate_to_reading_cases(township):
    """The defect: the admin posted itself or a new account as viewer, then read cases."""
    admin = township.client("tenant_admin")
    before = admin.get(f"{township.base}/users?include_archived=true").headers["X-Pagination"]
    for role in ("viewer", "secretary", "deputy"):
        admin.post(f"{township.base}/users", json={
            "username": f"crony-{role}-{township.slug}", "display_name": "crony",
            "password": PASSWORD, "positions": [{"role": "office"}, {"role": role}],
        }).assert_status(403)
        admin.post(f"{township.base}/users/{township.users['tenant_admin']}/positions",
                   json={"role": role}).assert_status(403)
    after = admin.get(f"{township.base}/users?include_archived=true").headers["X-Pagination"]
    assert after == before
    login = township.client().post("/api/v1/auth/tokens", json={
        "username": f"crony-viewer-{township.slug}", "password": PASSWORD})
    login.assert_status(401)


def test_the_secretary_posts_an_account_the_admin_created(township):
    """Accounts are the admin's; the leadership posts are the secretary's."""
    created = township.client("tenant_admin").post(f"{township.base}/users", json={
        "username": f"deputy2-{township.slug}", "display_name": "副書記", "password": PASSWORD,
    }).assert_status(201).json
    posted = township.client("secretary").post(
        f"{township.base}/users/{created['id']}/positions", json={"role": "deputy"})
    assert posted.assert_status(201).json["role"] == "deputy"


def test_the_cli_is_an_operator_tool_and_grants_anything(township):
    runner = township.app.test_cli_runner()
    result = runner.invoke(args=["users", "create", f"sec2-{township.slug}", "--township",
                                 township.slug, "--role", "secretary", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    township.client().post("/api/v1/auth/tokens", json={
        "username": f"sec2-{township.slug}", "password": PASSWORD}).assert_status(201)


def test_the_admin_cannot_take_over_a_leader_by_resetting_the_password(township):
    """Resetting a password is taking the post: the admin resets only the accounts whose posts
    it may grant; the leaders' passwords are the operator's (``zerenzhi users set-password``)."""
    admin = township.client("tenant_admin")
    for role in ("secretary", "deputy", "viewer"):
        url = f"{township.base}/users/{township.users[role]}"
        refused = admin.patch(url, json={"password": "taken over, now mine"},
                              headers={"If-Match": admin.get(url).headers["ETag"]})
        assert "password" in refused.assert_status(403).json["errors"]["json"]
        township.client().post("/api/v1/auth/tokens", json={
            "username": f"{role}@{township.slug[2:]}", "password": "taken over, now mine",
        }).assert_status(401)
    url = f"{township.base}/users/{township.users['unit_head']}"
    admin.patch(url, json={"password": "a fresh secret for the head"},
                headers={"If-Match": admin.get(url).headers["ETag"]}).assert_status(200)
