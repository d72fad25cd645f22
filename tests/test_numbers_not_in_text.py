"""Item 10 of issue 16: every number the text does not give is a default of ours, named
"not in the text" — on the rule (``defaults_not_in_text`` in the rules API) or in the
module setting's description."""

from __future__ import annotations

import pytest

from zerenzhi.plugins.accountability.settings import AccountabilitySettings
from zerenzhi.plugins.analysis.settings import AnalysisSettings
from zerenzhi.plugins.approvals.settings import ApprovalsSettings

# rule -> the numbers the text does not give; every other shipped rule's numbers are the text's
OURS = {
    "reporting.assembly_report": ["cadence"],  # R2: whenever the assembly meets
    "reporting.major_situation": ["deadline_hours"],  # R3: 及時, no hours
    "analysis.sensitive_date": ["deadline_hours"],  # A3: no lead time
    "inspection.interview": ["deadline_hours"],  # I3: no delay
    "inspection.rectification": ["deadline_hours"],  # no clause
    "platforms.register_review": ["cadence"],  # P1: no review cadence
    "platforms.incident_report": ["deadline_hours"],  # P2: 邊處置邊報告, no hours
    "assessment.annual": ["cadence"],  # M4/I4: no cadence
    "deployments.task": ["deadline_hours"],  # W1: each deployment's own deadline
}
FROM_TEXT = {  # W2, W3, R1, A2, I1, W6: the numbers are the text's
    "study.secretary_special_study", "study.branch_theory_study",
    "study.branch_ideology_study", "reporting.committee_special_meeting",
    "reporting.half_year_report", "analysis.half_year", "inspection.half_year",
    "approvals.prior_approval",
}


def test_rules_api_names_every_default_not_in_the_text(township):
    for name in township.app.extensions["zerenzhi"].plugins.installed:
        township.enable(name)
    rules = township.client("secretary").get(f"{township.base}/rules").assert_status(200).json
    shipped = {rule["key"]: rule["defaults_not_in_text"] for rule in rules}
    for key, numbers in OURS.items():
        assert shipped.get(key) == numbers, key
    for key in FROM_TEXT & shipped.keys():
        assert shipped[key] == [], key


@pytest.mark.parametrize("schema, field", [
    (AnalysisSettings, "contribution_days"),  # A1: "on time"
    (AnalysisSettings, "hot_topic_hours"),  # A3: hot topics
    (ApprovalsSettings, "min_notice_days"),  # W6: 事先
    (AccountabilitySettings, "overdue_alert_days"),  # K13
])
def test_module_numbers_not_in_the_text_say_so(schema, field):
    assert "not in the text" in schema().fields[field].metadata["description"]
