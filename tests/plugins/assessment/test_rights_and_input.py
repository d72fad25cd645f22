"""Who may score, adjust and reopen; what bad input, odd years and bad settings get."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.plugins.assessment.test_assessment import DECEMBER, score


@pytest.fixture
def base(assessed, time_machine) -> str:
    time_machine.move_to(DECEMBER)
    return f"{assessed.base}/assessment"


@pytest.mark.parametrize("role,reads,scores,adjusts", [
    ("secretary", True, True, True), ("deputy", True, True, True),
    ("office", True, True, False), ("member", True, False, False),
    ("branch_secretary", True, False, False), ("unit_head", True, False, False),
    ("viewer", True, False, False), ("tenant_admin", False, False, False),
])
def test_permissions_per_role(assessed, base, role, reads, scores, adjusts):
    """W4: the office runs the assessment; M1/M2: leaders adjust; everyone else reads."""
    client = assessed.client(role)
    assert (client.get(f"{base}/years").status_code == 200) is reads
    assert (score(assessed, "branch-1", 80, role=role).status_code == 200) is scores
    computed = client.post(f"{base}/years/2026/compute", json={})
    assert (computed.status_code == 200) is scores
    adjusted = client.post(f"{base}/years/2026/adjustments", json={
        "unit_id": str(assessed.units["branch-1"]), "points": 1, "reason": "表彰"})
    assert (adjusted.status_code == 201) is adjusts, adjusted.json


def test_bad_input_is_422_or_404_and_writes_nothing(assessed, other_township, base):
    office, secretary = assessed.client("office"), assessed.client("secretary")
    url = f"{base}/years/2026/inspection-scores/{assessed.units['branch-1']}"
    for body in ('{"score": 101}', '{"score": -1}', '{"score": "high"}', '{"score": NaN}',
                 '{"note": "no score"}', '{"score": 80, "grade": "A"}'):
        response = office.put(url, data=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, body
    for unit in (other_township.units["branch-1"], uuid.uuid4()):
        assert score(assessed, "branch-1", 80).status_code == 200
        foreign = office.put(f"{base}/years/2026/inspection-scores/{unit}", json={"score": 80})
        assert foreign.status_code == 404
    adjust = secretary.post(f"{base}/years/2026/adjustments", json={
        "unit_id": str(other_township.units["branch-1"]), "points": 1, "reason": "x"})
    assert adjust.status_code == 422 and "unit_id" in adjust.json["errors"]["json"]
    assert secretary.get(f"{base}/years/2026/adjustments").json == []
    scores = office.get(f"{base}/years/2026/inspection-scores").json
    assert [(s["unit_id"], s["score"]) for s in scores] == [(str(assessed.units["branch-1"]), 80)]


@pytest.mark.parametrize("year,status", [
    ("abcd", 404), ("1999", 404), ("20261", 404), ("2027", 422), ("2025", 200)])
def test_only_years_that_have_begun_are_assessed(assessed, base, year, status):
    score(assessed, "branch-1", 80, year=2025)
    response = assessed.client("office").post(f"{base}/years/{year}/compute", json={})
    assert response.status_code == status, response.json


def test_settings_are_validated(township):
    admin = township.client("tenant_admin")
    url = f"{township.base}/plugins/assessment"
    for bad in ({"compliance_weight": 70}, {"compliance_weight": 50, "inspection_weight": 40},
                {"compliance_weight": -10, "inspection_weight": 110}, {"max_bonus": -1},
                {"max_deduction": 51}, {"weights": 1}):
        response = admin.put(url, json={"settings": bad})
        assert response.status_code == 422, bad
    assert admin.get(url).json["enabled"] is False  # nothing changed
    state = admin.put(url, json={"settings": {"compliance_weight": 70, "inspection_weight": 30,
                                              "max_bonus": 3}}).assert_status(200).json
    assert state["settings"] == {"compliance_weight": 70, "inspection_weight": 30,
                                 "max_bonus": 3.0, "max_deduction": 10.0}


def test_the_township_weights_apply(township, time_machine):
    township.enable("assessment", {"compliance_weight": 0, "inspection_weight": 100})
    time_machine.move_to(dt.datetime(2026, 12, 20, 10, tzinfo=dt.UTC))
    score(township, "branch-1", 77.5).assert_status(200)
    table = township.client("office").post(
        f"{township.base}/assessment/years/2026/compute", json={}).assert_status(200).json
    line = next(line for line in table["units"] if line["unit_code"] == "branch-1")
    assert (line["total"], table["compliance_weight"]) == (77.5, 0)
    assert table["complete"] is False  # other units have neither component


def test_disabled_module_is_absent(township):
    response = township.client("office").get(f"{township.base}/assessment/years")
    assert response.status_code == 404 and "assessment" in response.json["message"]
