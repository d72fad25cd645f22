"""Who may do what (docs/domain.md roles), bad input, and links from other modules."""

from __future__ import annotations

from tests.plugins.analysis.helpers import half_year
from zerenzhi import describe_reference


def test_roles_read_and_write_as_the_domain_says(town):
    url = f"{town.base}/analysis/analyses"
    town.client("office").post(url, json=half_year("2026-05-01")).assert_status(201)
    for role in ("secretary", "deputy", "member", "office", "branch_secretary", "unit_head",
                 "viewer"):
        assert len(town.client(role).get(url).assert_status(200).json) == 1, role
    assert town.client("tenant_admin").get(url).status_code == 403
    for role in ("member", "branch_secretary", "unit_head", "viewer", "tenant_admin"):
        assert town.client(role).post(url, json=half_year("2026-05-02")).status_code == 403
        assert town.client(role).post(f"{town.base}/analysis/sensitive-dates", json={
            "falls_on": "2026-07-01", "title": "x"}).status_code == 403
    for role in ("secretary", "deputy"):
        town.client(role).post(url, json=half_year("2026-05-03")).assert_status(201)


def test_bad_input_is_422_and_writes_nothing(town):
    office = town.client("office")
    url = f"{town.base}/analysis/analyses"
    bad = [
        {}, {"kind": "yearly", "title": "x", "held_on": "2026-05-01"},
        {"kind": "half_year", "title": "", "held_on": "2026-05-01"},
        {"kind": "half_year", "title": "x", "held_on": "2126-05-01"},
        {"kind": "half_year", "title": "x", "held_on": "2026-05-01", "colour": "red"},
        half_year("2026-05-01", ("theory", "theory")),
        half_year("2026-05-01", ("economy",)),
        {**half_year("2026-05-01"), "sensitive_date_id": "00000000-0000-0000-0000-000000000001"},
        {"kind": "half_year", "title": "x\x00", "held_on": "2026-05-01"},
    ]
    for body in bad:
        assert office.post(url, json=body).status_code == 422, body
    assert office.get(f"{url}?include_archived=true").json == []
    created = office.post(url, json=half_year("2026-05-01", ())).json
    one = f"{url}/{created['id']}"
    assert office.put(f"{one}/sections/theory", json={"mainstream": ""}).status_code == 422
    assert office.put(f"{one}/sections/economy", json={"mainstream": "x"}).status_code == 404
    assert office.delete(f"{one}/sections/theory").status_code == 404
    assert office.get(one).json["sections"] == []
    assert office.get(f"{url}?period=2026Q1").status_code == 422


def test_the_module_is_absent_where_not_enabled(township):
    response = township.client("office").get(f"{township.base}/analysis/analyses")
    assert response.status_code == 404 and "analysis" in response.json["message"]


def test_other_modules_link_analyses_by_reference(town):
    office = town.client("office")
    created = office.post(f"{town.base}/analysis/analyses",
                          json=half_year("2026-05-01")).json
    with town.scope() as sess:
        found = describe_reference(sess, "analysis.analysis", created["id"])
        assert found["title"] == created["title"] and found["status"] == "draft"
        assert describe_reference(sess, "analysis.analysis", "nope") is None
        assert describe_reference(sess, "analysis.other", created["id"]) is None
