"""The reporting plugin: manifest and hooks."""

from __future__ import annotations

from typing import Any

from zerenzhi import Blueprint, Label, Manifest, Permission, RollupMetric, RuleDef, hookimpl
from zerenzhi.plugins.reporting import metrics, services
from zerenzhi.plugins.reporting.routes import blp
from zerenzhi.plugins.reporting.rules import PERMISSIONS, RULES
from zerenzhi.plugins.reporting.settings import ReportingSettings


class ReportingPlugin:
    """Built-in, and a peer of third-party plugins: it uses only the ``zerenzhi`` face."""

    manifest = Manifest(
        name="reporting", version="1.0", title=Label("報告", "Reporting"),
        settings=ReportingSettings, migrations="zerenzhi.plugins.reporting:migrations",
    )

    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
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
    def describe_reference(self, session: Any, tenant: Any, ref_type: str,
                           ref_id: str) -> dict | None:
        if not ref_type.startswith("reporting."):
            return None
        return services.describe(session, ref_type, ref_id)

    @hookimpl
    def demo_data(self, session: Any, tenant: Any, settings: dict) -> None:
        from zerenzhi.plugins.reporting.demo import fill

        fill(session, settings)
