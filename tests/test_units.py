"""The org tree (docs/domain.md, W4: the committee leads; branches, villages, stations, office)."""

from __future__ import annotations

import json


def units(client, township, query: str = "") -> dict[str, dict]:
    body = client.get(f"{township.base}/units?page_size=100{query}").assert_status(200).json
    return {unit["code"]: unit for unit in body}


def total(response) -> int:
    return json.loads(response.headers["X-Pagination"])["total"]


def test_office_adds_a_branch_under_the_committee(township):
    office = township.client("office")
    created = office.post(f"{township.base}/units", json={
        "code": "branch-3", "name": "第三黨支部", "kind": "branch",
        "parent_id": str(township.units["committee"]),
    }).assert_status(201).json
    assert created["parent_id"] == str(township.units["committee"])
    listed = units(township.client("viewer"), township)
    assert listed["branch-3"]["id"] == created["id"]
    assert listed["branch-3"]["name"] == "第三黨支部"


def test_list_filters_by_kind(township):
    client = township.client("viewer")
    assert set(units(client, township, "&kind=branch")) == {"branch-1", "branch-2"}
    assert set(units(client, township, "&kind=village")) == {"village-1"}
    client.get(f"{township.base}/units?kind=province").assert_status(422)


def test_update_needs_the_current_etag(township):
    client = township.client("secretary")
    url = f"{township.base}/units/{township.units['village-1']}"
    got = client.get(url).assert_status(200)
    etag = got.headers["ETag"]
    assert etag

    client.patch(url, json={"name": "東村居委會"}).assert_status(428)
    client.patch(url, json={"name": "東村居委會"},
                 headers={"If-Match": '"0000"'}).assert_status(412)
    changed = client.patch(url, json={"name": "東村居委會"},
                           headers={"If-Match": etag}).assert_status(200)
    assert changed.json["name"] == "東村居委會"
    assert changed.headers["ETag"] != etag
    # the old ETag is now stale
    client.patch(url, json={"name": "西村"}, headers={"If-Match": etag}).assert_status(412)
    assert client.get(url).json["name"] == "東村居委會"


def test_archived_unit_leaves_the_list_but_is_kept(township):
    client = township.client("office")
    url = f"{township.base}/units/{township.units['station-1']}"
    client.delete(url).assert_status(428)
    etag = client.get(url).headers["ETag"]
    client.delete(url, headers={"If-Match": etag}).assert_status(204)

    assert "station-1" not in units(client, township)
    everything = units(client, township, "&include_archived=true")
    assert everything["station-1"]["archived_at"] is not None
    kept = client.get(url).assert_status(200).json
    assert kept["archived_at"] is not None
    assert kept["name"] == "文化站"


def test_committee_cannot_be_archived(township):
    client = township.client("secretary")
    url = f"{township.base}/units/{township.units['committee']}"
    etag = client.get(url).headers["ETag"]
    refused = client.delete(url, headers={"If-Match": etag}).assert_status(409)
    assert refused.json["code"] == 409
    assert client.get(url).json["archived_at"] is None


def test_unit_with_children_cannot_be_archived(township):
    client = township.client("secretary")
    client.post(f"{township.base}/units", json={
        "code": "group-1", "name": "第一黨小組", "kind": "branch",
        "parent_id": str(township.units["branch-1"]),
    }).assert_status(201)
    url = f"{township.base}/units/{township.units['branch-1']}"
    etag = client.get(url).headers["ETag"]
    client.delete(url, headers={"If-Match": etag}).assert_status(409)
    assert "branch-1" in units(client, township)


def test_parent_from_another_township_is_refused_and_nothing_is_written(township,
                                                                        other_township):
    client = township.client("secretary")
    before = total(client.get(f"{township.base}/units?include_archived=true"))
    refused = client.post(f"{township.base}/units", json={
        "code": "branch-x", "name": "外來支部", "kind": "branch",
        "parent_id": str(other_township.units["committee"]),
    }).assert_status(422)
    assert "parent_id" in refused.json["errors"]["json"]
    assert total(client.get(f"{township.base}/units?include_archived=true")) == before
    # nor may an existing unit be moved under the other township's tree
    url = f"{township.base}/units/{township.units['branch-2']}"
    client.patch(url, json={"parent_id": str(other_township.units["branch-1"])},
                 headers={"If-Match": client.get(url).headers["ETag"]}).assert_status(422)
    assert client.get(url).json["parent_id"] == str(township.units["committee"])


def test_duplicate_code_is_a_conflict(township):
    client = township.client("secretary")
    body = {"code": "branch-1", "name": "重複", "kind": "branch",
            "parent_id": str(township.units["committee"])}
    client.post(f"{township.base}/units", json=body).assert_status(409)
    url = f"{township.base}/units/{township.units['branch-2']}"
    client.patch(url, json={"code": "branch-1"},
                 headers={"If-Match": client.get(url).headers["ETag"]}).assert_status(409)
    assert client.get(url).json["code"] == "branch-2"


def test_same_code_is_free_in_another_township(township, other_township):
    other_township.client("secretary").post(f"{other_township.base}/units", json={
        "code": "branch-9", "name": "第九黨支部", "kind": "branch",
        "parent_id": str(other_township.units["committee"]),
    }).assert_status(201)
    township.client("secretary").post(f"{township.base}/units", json={
        "code": "branch-9", "name": "第九黨支部", "kind": "branch",
        "parent_id": str(township.units["committee"]),
    }).assert_status(201)


def test_unit_cannot_become_its_own_ancestor(township):
    client = township.client("secretary")
    child = client.post(f"{township.base}/units", json={
        "code": "group-1", "name": "第一黨小組", "kind": "branch",
        "parent_id": str(township.units["branch-1"]),
    }).assert_status(201).json
    url = f"{township.base}/units/{township.units['branch-1']}"
    for parent in (child["id"], str(township.units["branch-1"])):
        refused = client.patch(url, json={"parent_id": parent},
                               headers={"If-Match": client.get(url).headers["ETag"]})
        refused.assert_status(422)
        assert "parent_id" in refused.json["errors"]["json"]
    assert client.get(url).json["parent_id"] == str(township.units["committee"])


def test_branch_secretary_cannot_change_the_tree(township):
    """A branch_secretary's scope is their own branch (W2, W3), not the org tree."""
    client = township.client("branch_secretary")
    client.post(f"{township.base}/units", json={
        "code": "branch-3", "name": "第三黨支部", "kind": "branch",
        "parent_id": str(township.units["committee"]),
    }).assert_status(403)
    assert "branch-3" not in units(client, township)
