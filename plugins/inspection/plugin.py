"""The inspection plugin: manifest and hooks (I1–I4)."""

from __future__ import annotations

from typing import Any

from zerenzhi import Blueprint, Label, Manifest, Permission, RollupMetric, RuleDef, hookimpl
from zerenzhi.plugins.inspection import findings, scores
from zerenzhi.plugins.inspection.rules import PERMISSIONS, RULES
from zerenzhi.plugins.inspection.settings import InspectionSettings

VERSION = "1.0.0"


class InspectionPlugin:
    manifest = Manifest(
        name="inspection", version=VERSION, title=Label("督查", "Inspection"),
        settings=InspectionSettings, migrations="zerenzhi.plugins.inspection:migrations",
    )

    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
        from zerenzhi.plugins.inspection import routes, routes_findings  # noqa: F401 (views register)
        from zerenzhi.plugins.inspection.blueprint import blp

        return [blp]

    @hookimpl
    def register_permissions(self) -> list[Permission]:
        return PERMISSIONS

    @hookimpl
    def register_rules(self) -> list[RuleDef]:
        return RULES

    @hookimpl
    def register_rollup_metrics(self) -> list[RollupMetric]:
        return scores.METRICS

    @hookimpl
    def describe_reference(self, session: Any, tenant: Any, ref_type: str,
                           ref_id: str) -> dict | None:
        """``inspection.finding`` for links from other modules (accountability cases)."""
        if ref_type == "inspection.finding":
            return findings.describe(session, ref_id)
        return None

    @hookimpl
    def demo_data(self, session: Any, tenant: Any, settings: dict) -> None:
        from zerenzhi.plugins.inspection.demo import load

        load(session, settings)
