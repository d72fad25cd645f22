"""The accountability plugin: manifest and hooks."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from core import Label, Manifest, Permission, RollupMetric, hookimpl
from plugins.accountability import metrics, services
from plugins.accountability.routes import blp
from plugins.accountability.rules import PERMISSIONS
from plugins.accountability.settings import AccountabilitySettings

REFERENCE_TYPE = "accountability.case"


class AccountabilityPlugin:
    """Built-in, and a peer of third-party plugins: it uses only the ``core`` face and
    reaches other modules' records only through core references."""

    manifest = Manifest(
        name="accountability", version="1.0", title=Label("問責", "Accountability"),
        settings=AccountabilitySettings, migrations="plugins.accountability:migrations",
        demo_after=("platforms", "inspection"),  # its demo case cites their records
    )

    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
        return [blp]

    @hookimpl
    def register_permissions(self) -> list[Permission]:
        return PERMISSIONS

    @hookimpl
    def register_rollup_metrics(self) -> list[RollupMetric]:
        return metrics.METRICS

    @hookimpl
    def describe_reference(self, session: Any, tenant: Any, ref_type: str,
                           ref_id: str) -> dict | None:
        """``accountability.case``: a neutral title and the status only."""
        if ref_type != REFERENCE_TYPE:
            return None
        return services.describe(session, ref_id)

    @hookimpl
    def demo_data(self, session: Any, tenant: Any, settings: dict) -> None:
        from plugins.accountability.demo import fill

        fill(session, settings)
