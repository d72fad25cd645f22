"""The study plugin: manifest and hooks."""

from __future__ import annotations

from typing import Any

from zerenzhi import Blueprint, Label, Manifest, Permission, RollupMetric, RuleDef, hookimpl
from zerenzhi.plugins.study import metrics, services
from zerenzhi.plugins.study.routes import blp
from zerenzhi.plugins.study.rules import PERMISSIONS, RULES
from zerenzhi.plugins.study.settings import StudySettings


class StudyPlugin:
    """Built-in, and a peer of third-party plugins: it uses only the ``zerenzhi`` face."""

    manifest = Manifest(
        name="study", version="1.0", title=Label("學習管理", "Study management"),
        settings=StudySettings, migrations="zerenzhi.plugins.study:migrations",
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
    def on_settings_changed(self, session: Any, tenant: Any, old: dict, new: dict) -> None:
        """Which kinds count may have changed: every live meeting's evidence is re-said."""
        services.resync_all(session, new)

    @hookimpl
    def describe_reference(self, session: Any, tenant: Any, ref_type: str,
                           ref_id: str) -> dict | None:
        if ref_type != services.SOURCE_TYPE:
            return None
        return services.describe(session, ref_id)

    @hookimpl
    def demo_data(self, session: Any, tenant: Any, settings: dict) -> None:
        from zerenzhi.plugins.study.demo import fill

        fill(session, settings)
