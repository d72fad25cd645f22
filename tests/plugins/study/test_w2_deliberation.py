"""W2 in the study module (issue 16, item 6; decision 0019): a branch secretary's 專題研究 is
a deliberation, a branch meeting of kind special_study, never a study session; the committee
secretary's W2 is not the study module's (it is the committee's special meeting, R1's record)."""

from __future__ import annotations

import time_machine

from tests.plugins.study.helpers import body, done

SPECIAL = "study.secretary_special_study"


@time_machine.travel("2026-06-20T10:00:00+08:00", tick=False)
def test_w2_study_sessions_never_count_as_a_deliberation(studied):
    """W2: even where a township's settings list centralised study among the kinds, a study
    session is not a 專題研究; only the deliberation (kind special_study) counts."""
    studied.client("tenant_admin").put(f"{studied.base}/plugins/study", json={"settings": {
        "special_study_kinds": ["special_study", "centralised"]}}).assert_status(200)
    client = studied.client("branch_secretary")
    study = client.post(f"{studied.base}/study/sessions", json=body(
        studied, ideology=True)).assert_status(201).json
    assert SPECIAL not in study["counts_toward"]
    deliberation = client.post(f"{studied.base}/study/sessions", json=body(
        studied, kind="special_study", day="2026-05-20")).assert_status(201).json
    assert deliberation["counts_toward"] == [SPECIAL]
    assert done(studied, "2026", SPECIAL, "branch-1") == 1


@time_machine.travel("2026-06-20T10:00:00+08:00", tick=False)
def test_w2_the_committee_has_no_study_obligation_of_its_own(studied):
    """W2 for the committee is one deliberation with R1's special meeting (reporting): the
    study module neither owes it nor counts a committee session toward it."""
    rules = studied.client("secretary").get(f"{studied.base}/rules").assert_status(200).json
    w2 = next(rule for rule in rules if rule["key"] == SPECIAL)
    assert (w2["source"], w2["applies_to"], w2["responsible"]) == (
        "W2", ["branch"], "branch_secretary")
    summary = studied.client("secretary").get(
        f"{studied.base}/obligations/summary?period=2026").assert_status(200).json
    assert {i["unit_id"] for i in summary["items"] if i["rule"] == SPECIAL} == {
        str(studied.units[unit]) for unit in ("branch-1", "branch-2")}
    created = studied.client("office").post(f"{studied.base}/study/sessions", json=body(
        studied, unit="committee", kind="special_study")).assert_status(201).json
    assert created["counts_toward"] == []
