"""The analysis plugin: manifest and hooks (A1–A4)."""

from __future__ import annotations

from typing import Any

from zerenzhi import Blueprint, Label, Manifest, Permission, RollupMetric, RuleDef, hookimpl
from zerenzhi.plugins.analysis import metrics, services
from zerenzhi.plugins.analysis.rules import PERMISSIONS, RULES
from zerenzhi.plugins.analysis.settings import AnalysisSettings

VERSION = "1.0.0"


class AnalysisPlugin:
    manifest = Manifest(
        name="analysis", version=VERSION, title=Label("分析研判", "Situation analysis"),
        settings=AnalysisSettings, migrations="zerenzhi.plugins.analysis:migrations",
    )

    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
        from zerenzhi.plugins.analysis import routes, routes_calendar  # noqa: F401 (views register)
        from zerenzhi.plugins.analysis.blueprint import blp

        return [blp]

    @hookimpl
    def register_permissions(self) -> list[Permission]:
        return PERMISSIONS

    @hookimpl
    def register_rules(self) -> list[RuleDef]:
        return RULES

    @hookimpl
    def register_rollup_metrics(self) -> list[RollupMetric]:
        return metrics.METRICS

    @hookimpl
    def register_commands(self, cli: Any) -> None:
        from zerenzhi.plugins.analysis.county import analysis_group

        cli.add_command(analysis_group)

    @hookimpl
    def on_enable(self, session: Any, tenant: Any, settings: dict) -> None:
        """Inherit the county's sensitive dates at once."""
        from zerenzhi.plugins.analysis.county import inherit

        inherit(session)

    @hookimpl
    def on_settings_changed(self, session: Any, tenant: Any, old: dict, new: dict) -> None:
        """Required domains changed: open half-year analyses count (or not) by the new set."""
        if old.get("required_domains") != new.get("required_domains"):
            services.resync_open(session, new)

    @hookimpl
    def describe_reference(self, session: Any, tenant: Any, ref_type: str,
                           ref_id: str) -> dict | None:
        return services.describe(session, ref_type, ref_id)

    @hookimpl
    def demo_data(self, session: Any, tenant: Any, settings: dict) -> None:
        from zerenzhi.plugins.analysis.demo import load

        load(session, settings)
