"""A2: every half-year the committee analyses six domains; the analysis counts only when it
covers every domain the township requires and the responsible leader has approved it."""

from __future__ import annotations

from tests.plugins.analysis.helpers import DOMAINS, at, body, half_year, status

RULE = "analysis.half_year"


def test_incomplete_analysis_names_missing_domains_and_counts_only_once_complete_and_approved(
        town, time_machine):
    time_machine.move_to(at("2026-05-10"))
    office, deputy = town.client("office"), town.client("deputy")
    url = f"{town.base}/analysis/analyses"
    created = office.post(url, json=half_year("2026-05-08", DOMAINS[:4])).assert_status(201).json
    assert created["period"] == "2026H1" and created["complete"] is False
    assert [d["domain"] for d in created["missing_domains"]] == ["ideas_morality",
                                                                  "online_opinion"]
    assert created["counts"] is False and created["approval"] is None
    one = f"{url}/{created['id']}"

    # the leader in charge cannot approve a gap (A2): 422 names what is missing
    refused = deputy.post(f"{one}/approval").assert_status(422).json
    assert "ideas_morality" in refused["errors"]["json"]["sections"][0]
    assert status(office, town, "2026H1", RULE)["status"] != "fulfilled"

    for domain in DOMAINS[4:]:
        office.put(f"{one}/sections/{domain}", json=body(domain)).assert_status(200)
    approved = deputy.post(f"{one}/approval").assert_status(200).json
    assert approved["complete"] and approved["counts"]
    assert approved["approval"]["role"] == "deputy"
    item = status(office, town, "2026H1", RULE)
    assert (item["status"], item["done"], item["source"]) == ("fulfilled", 1, "A2")
    assert item["responsible_role"] == "deputy"

    # removing a domain's section takes the evidence back out of the ledger
    office.delete(f"{one}/sections/online_opinion").assert_status(204)
    again = office.get(one).assert_status(200).json
    assert [d["domain"] for d in again["missing_domains"]] == ["online_opinion"]
    assert again["counts"] is False
    assert status(office, town, "2026H1", RULE)["done"] == 0

    # restoring it counts again; archiving takes it away for good
    office.put(f"{one}/sections/online_opinion", json=body("online_opinion")).assert_status(200)
    assert status(office, town, "2026H1", RULE)["status"] == "fulfilled"
    etag = office.get(one).headers["ETag"]
    office.delete(one, headers={"If-Match": etag}).assert_status(204)
    assert status(office, town, "2026H1", RULE)["done"] == 0
    assert office.get(url).json == []
    assert len(office.get(f"{url}?include_archived=true").json) == 1


def test_editing_the_date_moves_the_evidence_to_its_half_year(town, time_machine):
    time_machine.move_to(at("2026-08-10"))
    office, secretary = town.client("office"), town.client("secretary")
    url = f"{town.base}/analysis/analyses"
    created = office.post(url, json=half_year("2026-06-20")).assert_status(201).json
    one = f"{url}/{created['id']}"
    secretary.post(f"{one}/approval").assert_status(200)
    assert status(office, town, "2026H1", RULE)["status"] == "fulfilled"
    response = office.get(one)
    moved = office.patch(one, json={"held_on": "2026-07-30"},
                         headers={"If-Match": response.headers["ETag"]}).assert_status(200)
    assert moved.json["period"] == "2026H2" and moved.json["approval"]["role"] == "secretary"
    assert status(office, town, "2026H1", RULE)["done"] == 0
    assert status(office, town, "2026H2", RULE)["status"] == "fulfilled"
    # a stale ETag changes nothing
    office.patch(one, json={"title": "x"}, headers={"If-Match": '"stale"'}).assert_status(412)
    office.patch(one, json={"title": "x"}).assert_status(428)


def test_required_domains_follow_the_township_settings(township, time_machine):
    """A township requiring four domains counts a four-domain analysis; widening the
    requirement later makes the open half-year's analysis incomplete again."""
    time_machine.move_to(at("2026-03-10"))
    admin, office = township.client("tenant_admin"), township.client("office")
    settings = f"{township.base}/plugins/analysis"
    four = list(DOMAINS[:4])
    admin.put(settings, json={"settings": {"required_domains": four}}).assert_status(200)
    domains = office.get(f"{township.base}/analysis/domains").assert_status(200).json
    assert [d["domain"] for d in domains if d["required"]] == four
    url = f"{township.base}/analysis/analyses"
    created = office.post(url, json=half_year("2026-03-01", four)).assert_status(201).json
    assert created["complete"] and created["missing_domains"] == []
    township.client("deputy").post(f"{url}/{created['id']}/approval").assert_status(200)
    assert status(office, township, "2026H1", RULE)["status"] == "fulfilled"

    admin.put(settings, json={"settings": {}}).assert_status(200)  # back to all six
    again = office.get(f"{url}/{created['id']}").json
    assert [d["domain"] for d in again["missing_domains"]] == list(DOMAINS[4:])
    assert status(office, township, "2026H1", RULE)["done"] == 0


def test_settings_are_validated(township):
    admin = township.client("tenant_admin")
    url = f"{township.base}/plugins/analysis"
    for bad in ({"required_domains": []}, {"required_domains": ["theory", "theory"]},
                {"required_domains": ["economy"]}, {"contribution_days": 0},
                {"contribution_days": 181}, {"domains": ["theory"]}):
        assert admin.put(url, json={"settings": bad}).status_code == 422, bad
    state = admin.put(url, json={"settings": {"contribution_days": 7}}).assert_status(200)
    assert state.json["settings"]["contribution_days"] == 7
    assert state.json["settings"]["required_domains"] == list(DOMAINS)


def test_domains_are_served_per_accept_language(town):
    url = f"{town.base}/analysis/domains"
    labels = {lang: town.client("viewer", **{"Accept-Language": lang}).get(url).json[0]["label"]
              for lang in ("zh-Hant", "zh-Hans", "en")}
    assert labels == {"zh-Hant": "思想理論", "zh-Hans": "思想理论", "en": "Theory"}
    record = town.client("office", **{"Accept-Language": "en"}).post(
        f"{town.base}/analysis/analyses", json=half_year("2026-05-01", DOMAINS[:1]))
    assert record.json["sections"][0]["domain_label"] == "Theory"
    assert record.json["missing_domains"][0]["label"] == "News and public opinion"
    assert record.json["kind_label"].startswith("Half-year")


def test_only_the_leader_in_charge_or_the_secretary_approve(town):
    url = f"{town.base}/analysis/analyses"
    created = town.client("office").post(url, json=half_year("2026-05-01")).json
    approval = f"{url}/{created['id']}/approval"
    for role in ("office", "member", "branch_secretary", "unit_head", "viewer", "tenant_admin"):
        assert town.client(role).post(approval).status_code == 403, role
    town.client("secretary").post(approval).assert_status(200)
    town.client("deputy").post(approval).assert_status(409)  # already approved
    withdrawn = town.client("deputy").delete(approval).assert_status(200).json
    assert withdrawn["approval"] is None and withdrawn["counts"] is False
