"""The platforms plugin: manifest and hooks."""

from __future__ import annotations

from typing import Any

from zerenzhi import Blueprint, Label, Manifest, Permission, RollupMetric, RuleDef, hookimpl
from zerenzhi.plugins.platforms import (
    incident_routes,  # noqa: F401  (its views join blp)
    incidents,
    metrics,
)
from zerenzhi.plugins.platforms.routes import blp
from zerenzhi.plugins.platforms.rules import PERMISSIONS, RULES
from zerenzhi.plugins.platforms.settings import PlatformsSettings


class PlatformsPlugin:
    """Built-in, and a peer of third-party plugins: it uses only the ``zerenzhi`` face."""

    manifest = Manifest(
        name="platforms", version="1.0", title=Label("陣地管理", "Channels and incidents"),
        settings=PlatformsSettings, migrations="zerenzhi.plugins.platforms:migrations",
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
        """``platforms.incident``: title and status (what an accountability case cites)."""
        if ref_type != incidents.SOURCE_TYPE:
            return None
        return incidents.describe(session, ref_id)

    @hookimpl
    def demo_data(self, session: Any, tenant: Any, settings: dict) -> None:
        from zerenzhi.plugins.platforms.demo import fill

        fill(session, settings)
