"""The audit log page (issue 14, item 3): the API's audit query, newest first, filtered,
each change readable; only the roles that may read the log see it."""

from __future__ import annotations

import re

import pytest


def _page(world, query: str = "", role: str = "secretary") -> str:
    response = world.client(role).get(f"/townships/{world.slug}/audit?{query}")
    response.assert_status(200)
    return response.raw.get_data(as_text=True)


def _actions(html: str) -> list[str]:
    return re.findall(r'<li data-action="([^"]+)">', html)


def _rename_unit(world) -> None:
    client, path = world.client("tenant_admin"), f"{world.base}/units/{world.units['branch-2']}"
    etag = client.get(path).assert_status(200).headers["ETag"]
    client.patch(path, json={"name": "第二黨支部（改）"},
                 headers={"If-Match": etag}).assert_status(200)


@pytest.mark.parametrize("role", ["secretary", "deputy", "viewer"])
def test_the_readers_of_the_log_see_it_newest_first(township, role):
    _rename_unit(township)
    actions = _actions(_page(township, role=role))
    assert actions and actions[0] == "org_unit.update"  # the latest write comes first
    assert "member.create" in actions


def test_a_change_shows_before_and_after_by_name(township):
    _rename_unit(township)
    html = _page(township, "action=org_unit.update")
    entry = html.split('<li data-action="org_unit.update">')[1].split("</li>")[0]
    assert "<del" in entry and "第二黨支部</del>" in entry
    assert "第二黨支部（改）</ins>" in entry
    assert not re.search(r">[^<]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", html)  # no raw ids


def test_filters_narrow_the_log(township):
    _rename_unit(township)
    assert set(_actions(_page(township, "action=member.create"))) == {"member.create"}
    assert set(_actions(_page(township, "target_type=org_unit"))) <= {
        "org_unit.create", "org_unit.update"}
    assert _actions(_page(township, "from=2099-01-01")) == []
    assert _actions(_page(township, "to=2000-01-01")) == []
    assert _actions(_page(township, "action=&actor=&from=&to="))  # blank fields: no filter
    bad = township.client("secretary").get(f"/townships/{township.slug}/audit?from=later")
    assert bad.status_code == 422


@pytest.mark.parametrize("role", ["office", "tenant_admin", "branch_secretary"])
def test_roles_without_audit_read_get_403(township, role):
    response = township.client(role).get(f"/townships/{township.slug}/audit")
    assert response.status_code == 403
    assert "text/html" in response.headers["Content-Type"]


def test_a_foreign_township_s_log_is_not_found(township, other_township):
    response = other_township.client("secretary").get(f"/townships/{township.slug}/audit")
    assert response.status_code == 404
