"""K as the text writes it: "領導班子、黨員領導幹部有下列情形之一，造成不良影響的，視情節輕重，
報請區紀委追究責任" — every circumstance K1–K13 can be cited about the subject the text names;
the township proposes a severity and sanctions, refers the case to the 區紀委 and records the
commission's decision as the outcome; sanctions combine with lighter ones (decision 0020);
and the two English K catalogues say all the text says, alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine

from tests.plugins.accountability.support import case_body, open_case, step
from zerenzhi import render
from zerenzhi.clauses import CLAUSES
from zerenzhi.plugins.accountability.catalogue import (
    CADRE_CIRCUMSTANCES,
    CIRCUMSTANCES,
    combinable,
)

NOW = "2026-10-12T10:00:00+08:00"
K_CODES = [f"K{n}" for n in range(1, 14)]
PROPOSAL = {"severity": "minor", "sanctions": ["written_self_criticism"],
            "reasoning": "情節較輕"}


def _referred(world) -> dict:
    case = open_case(world)
    step(world, case["id"], "investigation").assert_status(200)
    step(world, case["id"], "decision", PROPOSAL).assert_status(200)
    return step(world, case["id"], "referral", {"reference": "委報〔2026〕12號"}
                ).assert_status(200).json


def _error(response, field: str) -> str:
    assert response.status_code == 422, response.json
    return response.json["errors"]["json"][field][0]


def test_the_catalogue_lists_exactly_k1_to_k13():
    assert list(CIRCUMSTANCES) == K_CODES
    assert [code for code in CLAUSES if code.startswith("K")] == K_CODES


@pytest.mark.parametrize("code", K_CODES)
@time_machine.travel(NOW, tick=False)
def test_every_circumstance_can_be_cited_about_the_subject_the_text_names(world, code):
    """K1–K13 each: a case citing it opens about a named leading cadre, and shows the
    clause's own text; a leadership group may be its subject unless the clause is about
    黨員領導幹部 themselves (K10–K12)."""
    cadre = open_case(world, circumstances=[code])
    assert cadre["circumstances"] == [code]
    assert cadre["circumstance_labels"] == [render(CIRCUMSTANCES[code])]
    group = world.client("secretary").post(f"{world.base}/accountability/cases", json=case_body(
        world, subject_kind="leadership_group", subject_member_id=None,
        subject_name="東村村委會領導班子", circumstances=[code]))
    if code in CADRE_CIRCUMSTANCES:
        assert code in _error(group, "subject_kind")
    else:
        assert group.assert_status(201).json["subject_kind"] == "leadership_group"


@pytest.mark.parametrize("code", CADRE_CIRCUMSTANCES)
@time_machine.travel(NOW, tick=False)
def test_k10_to_k12_name_a_party_member_leading_cadre(world, code):
    """K10, K11, K12 concern 黨員領導幹部: the case names the cadre as a member holding a
    leading post — a group, a bare name or a member without a leading post is 422 naming
    the field; adding the code to a group's case later is refused too."""
    url = f"{world.base}/accountability/cases"
    secretary = world.client("secretary")
    for body, field in (
        (case_body(world, subject_kind="leadership_group", circumstances=[code]),
         "subject_kind"),
        (case_body(world, subject_member_id=None, subject_name="某村委會主任",
                   circumstances=[code]), "subject_member_id"),
        (case_body(world, subject_member_id=str(world.users["viewer"]),
                   circumstances=["K13", code]), "subject_member_id"),
        (case_body(world, subject_member_id=str(world.users["office"]),
                   circumstances=[code]), "subject_member_id"),
    ):
        assert code in _error(secretary.post(url, json=body), field)
    assert secretary.get(url).json == []
    for role in ("secretary", "branch_secretary", "branch_committee_member", "unit_head"):
        named = open_case(world, circumstances=[code], subject_member_id=str(world.users[role]))
        assert named["subject_member_id"] == str(world.users[role])
    group = open_case(world, subject_kind="leadership_group", subject_member_id=None,
                      subject_name="東村村委會領導班子", circumstances=["K6"])
    item = f"{url}/{group['id']}"
    patch = secretary.patch(item, json={"circumstances": ["K6", code]},
                            headers={"If-Match": secretary.get(item).headers["ETag"]})
    assert code in _error(patch, "subject_kind")


@time_machine.travel(NOW, tick=False)
def test_referral_to_the_commission_and_its_outcome_close_the_case(world):
    """K (報請區紀委追究責任): the township's proposal is referred with its date, body and
    reference; the commission's decision is recorded as the outcome; only then does the
    case close without a note."""
    case = _referred(world)
    assert (case["status"], case["referred_to"], case["referred_on"],
            case["referral_reference"]) == ("referred", "區紀委", "2026-10-12", "委報〔2026〕12號")
    assert case["outcome_on"] is None and case["outcome_sanctions"] == []
    waiting = step(world, case["id"], "closure", {"note": "區紀委已受理"})
    assert waiting.status_code == 409  # referred: the commission has not decided yet
    for bad, field in (
        ({"severity": "minor", "sanctions": ["criticism_education"]}, "summary"),
        ({"severity": "minor", "sanctions": [], "summary": "x"}, "sanctions"),
        ({"sanctions": ["criticism_education"], "summary": "x"}, "severity"),
        ({"severity": "minor", "sanctions": ["suspension"], "summary": "x"}, "sanctions"),
        ({"severity": "serious", "sanctions": ["criticism_education"], "summary": "x"},
         "sanctions"),
        ({"summary": "x", "decided_on": "2026-10-11"}, "decided_on"),  # before the referral
        ({"summary": "x", "decided_on": "2026-10-13"}, "decided_on"),  # in the future
    ):
        _error(step(world, case["id"], "outcome", bad), field)
    outcome = step(world, case["id"], "outcome", {
        "severity": "serious", "sanctions": ["circulated_criticism", "admonishment_talk"],
        "summary": "區紀委決定給予通報批評並誡勉談話。", "reference": "區紀發〔2026〕3號"},
        client="deputy").assert_status(200).json
    assert (outcome["status"], outcome["outcome_on"], outcome["outcome_severity"],
            outcome["outcome_sanctions"], outcome["outcome_reference"]) == (
        "outcome_recorded", "2026-10-12", "serious",
        ["circulated_criticism", "admonishment_talk"], "區紀發〔2026〕3號")
    assert outcome["outcome_sanction_labels"] == ["通报批评", "诫勉谈话"]
    assert (outcome["severity"], outcome["sanctions"]) == ("minor", ["written_self_criticism"])
    assert step(world, case["id"], "outcome", {"summary": "again"}).status_code == 409
    closed = step(world, case["id"], "closure").assert_status(200).json
    assert (closed["status"], closed["closing_note"]) == ("closed", None)


@time_machine.travel(NOW, tick=False)
def test_the_commission_may_hold_no_one_responsible(world):
    case = _referred(world)
    outcome = step(world, case["id"], "outcome", {"summary": "經核查，不予追究。"})
    assert outcome.assert_status(200).json["outcome_severity"] is None
    assert outcome.json["outcome_sanctions"] == []
    step(world, case["id"], "closure").assert_status(200)


@time_machine.travel(NOW, tick=False)
def test_a_case_closed_without_referral_says_why_none_was_needed(world):
    """Closing before the referral (no responsibility found, or the proposal dropped)
    records the reason; the outcome step needs a referral first."""
    case = open_case(world)
    step(world, case["id"], "investigation").assert_status(200)
    step(world, case["id"], "decision", PROPOSAL).assert_status(200)
    assert step(world, case["id"], "outcome", {"summary": "x"}).status_code == 409
    _error(step(world, case["id"], "closure", {"note": " "}), "note")
    closed = step(world, case["id"], "closure", {"note": "當事人已調離，經研究不再報請。"})
    assert closed.assert_status(200).json["closing_note"] == "當事人已調離，經研究不再報請。"


@time_machine.travel(NOW, tick=False)
def test_sanctions_combine_with_lighter_severities_never_heavier(world):
    """以上問責方式可以單獨使用，也可同時使用 (decision 0020): a severity's own sanctions, with
    a lighter severity's if wished; a heavier one's, or a lighter one's alone, is 422."""
    catalogue = world.client("viewer").get(f"{world.base}/accountability/catalogue").json
    assert {s["code"]: s["combines_with"] for s in catalogue["severities"]} == {
        "minor": [], "serious": ["minor"], "especially_serious": ["minor", "serious"]}
    assert catalogue["cadre_circumstances"] == ["K10", "K11", "K12"]
    case = open_case(world)
    step(world, case["id"], "investigation").assert_status(200)
    for severity, sanctions in (("minor", ["criticism_education", "circulated_criticism"]),
                                ("serious", ["transfer", "demotion"])):
        message = _error(step(world, case["id"], "decision", {
            "severity": severity, "sanctions": sanctions, "reasoning": "x"}), "sanctions")
        assert "not a sanction for" in message
    lighter_only = _error(step(world, case["id"], "decision", {
        "severity": "serious", "sanctions": ["criticism_education"], "reasoning": "x"}),
        "sanctions")
    assert "通报批评" in lighter_only  # names the severity's own sanctions
    combined = step(world, case["id"], "decision", {
        "severity": "serious", "sanctions": ["suspension", "written_self_criticism"],
        "reasoning": "情節較重"}).assert_status(200).json
    assert (combined["severity"], combined["sanctions"]) == (
        "serious", ["suspension", "written_self_criticism"])
    assert set(combinable("especially_serious")) == set(
        s["code"] for level in catalogue["severities"] for s in level["sanctions"])


def _k(response) -> dict[str, str]:
    return {c["id"]: c["text"] for c in response.json if c["id"].startswith("K")}


def _plain(text: str) -> str:
    """Without the item's closing punctuation: the clause catalogue keeps the text's (";"
    after each item, "。" after the last) and ends each English sentence with "."."""
    return text.rstrip(";。.")


@pytest.mark.parametrize("language", ["en", "zh-TW", "zh-CN"])
def test_the_two_k_catalogues_agree(world, language):
    """K1–K13 read the same in /api/v1/catalogue/clauses and the accountability catalogue,
    in every script."""
    client = world.client("viewer", **{"Accept-Language": language})
    clauses = _k(client.get("/api/v1/catalogue/clauses").assert_status(200))
    plugin = {c["code"]: c["label"] for c in client.get(
        f"{world.base}/accountability/catalogue").assert_status(200).json["circumstances"]}
    assert list(clauses) == list(plugin) == K_CODES
    assert {code: _plain(text) for code, text in clauses.items()} == plugin


def test_k8_k10_k12_say_all_the_text_says():
    """K8: denying the party's leadership *or* attacking the socialist system, at meetings,
    lectures or forums, with adverse effects. K10: the cadre, every channel the text lists,
    statements against the centre's spirit *and* 妄議 of its policies. K12: the cadre,
    words or deeds, foreign-related activities, political harm, the image of party and
    state."""
    musts = {
        "K8": ("denying the leadership of the party", "attacking the system of socialism with "
               "Chinese characteristics", "meetings, lectures or forums", "within the "
               "jurisdiction", "adverse effects"),
        "K10": ("Party-member leading cadres", "publicly", "spirit of the Party Central "
                "Committee", "improperly discussing (妄議) its major policies", "information "
                "networks", "radio and television", "newspapers, periodicals and books",
                "forums, lectures and the like"),
        "K12": ("Party-member leading cadres", "improper words or deeds", "foreign-related "
                "activities", "pernicious political impact", "image of the party and the "
                "state"),
    }
    for code, phrases in musts.items():
        for text in (CIRCUMSTANCES[code].en, CLAUSES[code].en):
            missing = [phrase for phrase in phrases if phrase not in text]
            assert not missing, (code, missing)


def test_domain_md_lists_the_k_clauses_as_the_catalogue_translates_them():
    """docs/domain.md is the clause catalogue: its K lines are the same translations."""
    text = (Path(__file__).resolve().parents[3] / "docs" / "domain.md").read_text("utf-8")
    listed = dict(re.findall(r"^- (K\d+) (.+)$", text, re.MULTILINE))
    assert {code: _plain(line) for code, line in listed.items()} == {
        code: label.en for code, label in CIRCUMSTANCES.items()}
