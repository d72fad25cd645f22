"""Item 10 of issue 16: every number the text does not give is a default of ours, and the
rules API says so (``defaults_not_in_text``)."""

import pytest

from zerenzhi import Label, RuleDef


def _rule(**numbers) -> RuleDef:
    return RuleDef("drill.x", "R2", Label("甲", "x"), "year", ("committee",), "secretary",
                   Label("甲", "x"), min_count=1, **numbers)


def test_a_rule_names_only_numbers_it_has():
    """R2: the text sets no cadence for the assembly report; a rule can say so."""
    assert _rule(not_in_text=("cadence",)).not_in_text == ("cadence",)
    with pytest.raises(ValueError, match="not_in_text"):
        _rule(not_in_text=("colour",))
    with pytest.raises(ValueError, match="not_in_text"):
        _rule(not_in_text="cadence")


def test_rules_api_lists_defaults_not_in_text(drilled):
    """W3's 12 sessions come from the text: nothing is named for the drill rules."""
    rules = drilled.client("secretary").get(f"{drilled.base}/rules").assert_status(200).json
    assert rules and all(rule["defaults_not_in_text"] == [] for rule in rules)
