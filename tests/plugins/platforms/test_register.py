"""P1: the register of the organisation's own channels; opening, changing and closing
are filed (備案) and the filing history keeps each step."""

from __future__ import annotations

import time_machine

from tests.plugins.platforms.support import channel_body, filing, register

NOW = "2026-05-15T10:00:00+08:00"


def _audit_count(world) -> int:
    import json

    response = world.client("secretary").get(f"{world.base}/audit").assert_status(200)
    return json.loads(response.headers["X-Pagination"])["total"]


@time_machine.travel(NOW, tick=False)
def test_registering_a_channel_files_its_opening(world):
    """P1: a village registers its broadcast; the opening's filing is its first history."""
    channel = register(world, client="unit_head")  # the village head, in their own village
    assert (channel["status"], channel["kind"], channel["opened_on"]) == (
        "active", "village_broadcast", "2025-06-01")
    assert channel["kind_label"] == "村村响广播"  # zh-Hans by default
    url = f"{world.base}/platforms/channels/{channel['id']}"
    english = world.client("viewer", **{"Accept-Language": "en"}).get(url).assert_status(200)
    assert english.json["kind_label"] == "Village broadcast"
    history = world.client("viewer").get(f"{url}/filings").assert_status(200).json
    assert [(f["action"], f["reference"]) for f in history] == [("open", "網信備〔2026〕1號")]
    listed = world.client("member").get(f"{world.base}/platforms/channels?unit_id="
                                        f"{world.units['village-1']}").assert_status(200)
    assert [c["id"] for c in listed.json] == [channel["id"]]


@time_machine.travel(NOW, tick=False)
def test_changes_and_closing_are_filed_with_before_and_after(world):
    channel = register(world)
    url = f"{world.base}/platforms/channels/{channel['id']}"
    office = world.client("office")
    etag = office.get(url).headers["ETag"]
    unfiled = office.patch(url, json={"name": "東村廣播站"}, headers={"If-Match": etag})
    assert unfiled.status_code == 422 and "filing" in unfiled.json["errors"]["json"]
    same = office.patch(url, json={"name": channel["name"], "filing": filing()},
                        headers={"If-Match": etag})
    assert same.status_code == 422  # a change filing needs a change
    assert office.patch(url, json={"name": "x", "filing": filing()},
                        headers={"If-Match": '"stale"'}).status_code == 412
    changed = office.patch(url, headers={"If-Match": etag}, json={
        "name": "東村廣播站", "responsible_member_id": str(world.users["secretary"]),
        "filing": filing("2026-05-10", "網信備〔2026〕7號")}).assert_status(200).json
    assert changed["name"] == "東村廣播站"
    closed = office.post(f"{url}/closure", json={
        "closed_on": "2026-05-12", "filing": filing("2026-05-13", "網信備〔2026〕9號")})
    assert closed.assert_status(200).json["status"] == "closed"
    assert closed.json["closed_on"] == "2026-05-12"
    history = office.get(f"{url}/filings").assert_status(200).json
    assert [f["action"] for f in history] == ["open", "change", "close"]
    assert history[1]["changes"] == {
        "name": [channel["name"], "東村廣播站"],
        "responsible_member_id": [str(world.users["unit_head"]), str(world.users["secretary"])]}
    again = office.patch(url, headers={"If-Match": office.get(url).headers["ETag"]},
                         json={"status": "suspended", "filing": filing()})
    assert again.status_code == 409  # closed stays closed


@time_machine.travel(NOW, tick=False)
def test_bad_input_is_422_and_writes_nothing(world, other_township):
    office = world.client("office")
    url = f"{world.base}/platforms/channels"
    before = _audit_count(world)
    bad = [
        ({**channel_body(world), "filing": None}, "filing"),
        ({k: v for k, v in channel_body(world).items() if k != "filing"}, "filing"),
        (channel_body(world, kind="weibo"), "kind"),
        ({**channel_body(world), "unit_id": str(other_township.units["village-1"])}, "unit_id"),
        ({**channel_body(world),
          "responsible_member_id": str(other_township.users["unit_head"])},
         "responsible_member_id"),
        ({**channel_body(world), "opened_on": "2026-06-01"}, "opened_on"),
        ({**channel_body(world), "name": "   "}, "name"),
        ({**channel_body(world), "owner": "x"}, "owner"),
        ({**channel_body(world), "filing": {**filing(), "filed_on": "2027-01-01"}},
         "filing.filed_on"),
    ]
    for body, field in bad:
        response = office.post(url, json=body)
        assert response.status_code == 422, (field, response.json)
        errors = response.json["errors"]["json"]
        assert field in errors or field.split(".")[0] in errors, (field, errors)
    assert office.get(url).assert_status(200).json == []
    assert _audit_count(world) == before


@time_machine.travel(NOW, tick=False)
def test_a_live_account_is_registered_once(world):
    register(world, account="gh_dongcun")
    again = world.client("office").post(f"{world.base}/platforms/channels",
                                        json=channel_body(world, account="gh_dongcun"))
    assert again.status_code == 409


@time_machine.travel(NOW, tick=False)
def test_units_write_only_their_own_channels(world):
    """W4: a village head files its own village's channels, not a branch's; viewers read."""
    head, branch = world.client("unit_head"), world.client("branch_secretary")
    url = f"{world.base}/platforms/channels"
    assert head.post(url, json=channel_body(world, unit="branch-1",
                                            kind="xuexi_qiangguo_group")).status_code == 403
    assert branch.post(url, json=channel_body(world)).status_code == 403
    branch.post(url, json=channel_body(world, unit="branch-1", kind="xuexi_qiangguo_group",
                                       member="branch_secretary")).assert_status(201)
    assert world.client("viewer").post(url, json=channel_body(world)).status_code == 403
    assert world.client("tenant_admin").get(url).status_code == 403
    channel = register(world)
    item = f"{url}/{channel['id']}"
    etag = head.get(item).headers["ETag"]
    assert branch.delete(item, headers={"If-Match": etag}).status_code == 403
    head.delete(item, headers={"If-Match": etag}).assert_status(204)
    assert channel["id"] not in [c["id"] for c in head.get(url).json]
    archived = head.get(f"{url}?include_archived=true").json
    assert [c["archived_at"] is not None for c in archived if c["id"] == channel["id"]] == [True]


def test_disabled_module_is_absent(township):
    response = township.client("office").get(f"{township.base}/platforms/channels")
    assert response.status_code == 404 and "platforms" in response.json["message"]


def test_settings_are_validated(township):
    admin = township.client("tenant_admin")
    url = f"{township.base}/plugins/platforms"
    for bad in ({"report_from_severity": "huge"}, {"report_from_severity": 3}, {"x": 1}):
        assert admin.put(url, json={"settings": bad}).status_code == 422, bad
    state = admin.put(url, json={"settings": {"report_from_severity": "serious"}})
    assert state.assert_status(200).json["settings"] == {"report_from_severity": "serious"}


def test_catalogue_serves_labels_in_three_scripts(world):
    url = f"{world.base}/platforms/catalogue"
    hant = world.client("viewer", **{"Accept-Language": "zh-Hant"}).get(url).json
    hans = world.client("viewer").get(url).json
    english = world.client("viewer", **{"Accept-Language": "en"}).get(url).json
    cult = next(c for c in hant["incident_categories"] if c["code"] == "cult")
    assert (cult["label"], cult["clause"]) == ("邪教滲透", "W7")
    assert [c["code"] for c in hans["channel_kinds"]] == [
        "website", "wechat_official_account", "wechat_work_group", "xuexi_qiangguo_group",
        "bulletin_board", "village_broadcast", "other"]
    assert next(c for c in english["severities"] if c["code"] == "major")["label"] == "Major"
    p4 = {c["code"] for c in hant["incident_categories"] if c["clause"] == "P4"}
    assert p4 == {"religious_propagation", "foreign_exchange", "ngo_activity",
                  "illegal_publication"}
