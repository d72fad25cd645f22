"""The demo township's year of study, and the numbers the county roll-up reads."""

from __future__ import annotations

import time_machine

from tests.plugins.study.helpers import body, item
from zerenzhi.plugins.study import plugin
from zerenzhi.plugins.study.metrics import METRICS


@time_machine.travel("2026-11-26T10:00:00+08:00", tick=False)
def test_demo_year_shows_a_branch_keeping_up_and_one_behind(studied):
    """W2, W3: the demo's summary shows which branches are behind."""
    with studied.scope() as sess:
        plugin.demo_data(session=sess, tenant=None, settings=_defaults())
        sess.commit()
        plugin.demo_data(session=sess, tenant=None, settings=_defaults())  # skipped: has data
        sess.commit()
    theory = {unit: item(studied, "2026", "study.branch_theory_study", unit)
              for unit in ("branch-1", "branch-2")}
    assert theory["branch-1"]["done"] == 11 and theory["branch-2"]["done"] == 5
    assert item(studied, "2026", "study.secretary_special_study", "branch-1")[
        "status"] == "fulfilled"  # W2: the branch that keeps up held its two deliberations
    assert item(studied, "2026", "study.branch_ideology_study", "branch-2")["done"] == 1
    plans = studied.client("office").get(f"{studied.base}/study/plans?year=2026").json
    assert len(plans) == 2
    progress = studied.client("office").get(
        f"{studied.base}/study/plans/{plans[0]['id']}/progress").assert_status(200).json
    assert progress["planned"] == 12


def test_rollup_metrics_are_counts_and_rates(studied):
    office = studied.client("office")
    secretary = str(studied.users["branch_secretary"])
    office.post(f"{studied.base}/study/sessions", json=body(studied, ideology=True, attendance=[
        {"member_id": secretary, "present": True},
        {"member_id": str(studied.users["member"]), "present": False, "absence_reason": "病假"},
    ])).assert_status(201)
    office.post(f"{studied.base}/study/sessions", json=body(studied, day="2025-05-05"))
    from zerenzhi import parse_period

    with studied.scope() as sess:
        values = {m.key: m.compute(sess, parse_period("2026")) for m in METRICS}
    assert values == {"study.sessions_count": 1, "study.ideology_sessions_count": 1,
                      "study.attendance_rate": 0.5}


def _defaults() -> dict:
    from zerenzhi.plugins.study.settings import StudySettings

    return StudySettings().load({})


def test_other_modules_link_to_a_session_by_reference(studied):
    """Cross-module links (a finding citing a session) go through core references."""
    from zerenzhi import describe_reference

    created = studied.client("office").post(f"{studied.base}/study/sessions",
                                            json=body(studied)).json
    with studied.scope() as sess:
        described = describe_reference(sess, "study.session", created["id"])
        assert describe_reference(sess, "study.session", "not-a-uuid") is None
    assert (described["title"], described["status"]) == (created["title"], "held")
