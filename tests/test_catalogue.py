"""Catalogue labels are stored once (as in the seed) and served in three scripts."""

from __future__ import annotations


def test_clauses_are_served_in_the_callers_script(township):
    client = township.client("viewer")
    hant = client.get("/api/v1/catalogue/clauses", headers={"Accept-Language": "zh-TW"}).json
    hans = client.get("/api/v1/catalogue/clauses").json
    english = client.get("/api/v1/catalogue/clauses", headers={"Accept-Language": "en"}).json
    by_id = {c["id"]: c for c in hant}
    assert len(hant) == 40 and set(by_id) >= {"W2", "W3", "A2", "R3", "I3", "K9", "K13"}
    assert by_id["W3"]["text"].startswith("各黨支部要抓好理論學習")  # as published
    assert {c["id"]: c for c in hans}["W3"]["text"].startswith("各党支部要抓好理论学习")
    assert "12 times a year" in {c["id"]: c for c in english}["W3"]["text"]


def test_roles_and_unit_kinds(township):
    client = township.client("viewer")
    roles = {r["name"]: r for r in client.get("/api/v1/catalogue/roles",
                                              headers={"Accept-Language": "zh-Hant"}).json}
    assert roles["secretary"]["label"] == "黨委書記" and roles["viewer"]["read_only"] is True
    kinds = client.get("/api/v1/catalogue/unit-kinds", headers={"Accept-Language": "en"}).json
    assert {k["kind"] for k in kinds} == {"committee", "branch", "village", "station", "office"}


def test_catalogue_needs_a_login(app):
    from zerenzhi.testing import ApiClient

    assert ApiClient(app).get("/api/v1/catalogue/clauses").status_code == 401
