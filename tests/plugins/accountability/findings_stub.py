"""A stand-in for the inspection module, so these tests exercise references to
``inspection.finding`` and overdue ``inspection.rectification`` obligations without
depending on that module: it describes findings from a dict and owns the rule."""

from __future__ import annotations

from zerenzhi import Label, Manifest, RuleDef, hookimpl

FINDINGS: dict[str, dict] = {}  # id -> {"title", "status"}; tests fill it

RECTIFICATION = RuleDef(
    key="inspection.rectification", source="I1", title=Label("整改", "Rectification"),
    cadence="event", applies_to=("village", "station", "branch"),
    responsible={"village": "unit_head", "station": "unit_head", "branch": "branch_secretary"},
    evidence=Label("整改材料", "Rectification evidence"), deadline_hours=24 * 30)


class FindingStub:
    manifest = Manifest(name="inspection", version="0.0", title=Label("督查（替身）", "Stub"))

    @hookimpl
    def register_rules(self):
        return [RECTIFICATION]

    @hookimpl
    def describe_reference(self, session, tenant, ref_type, ref_id):
        if ref_type != "inspection.finding" or ref_id not in FINDINGS:
            return None
        return {"type": ref_type, "id": ref_id, **FINDINGS[ref_id]}
