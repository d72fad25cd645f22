"""The accountability plugin: manifest and hooks."""

from __future__ import annotations

from typing import Any

from zerenzhi import Blueprint, Label, Manifest, Permission, RollupMetric, hookimpl
from zerenzhi.plugins.accountability import metrics, services
from zerenzhi.plugins.accountability.routes import blp
from zerenzhi.plugins.accountability.rules import PERMISSIONS
from zerenzhi.plugins.accountability.settings import AccountabilitySettings

REFERENCE_TYPE = "accountability.case"


class AccountabilityPlugin:
    """Built-in, and a peer of third-party plugins: it uses only the ``zerenzhi`` face and
    reaches other modules' records only through core references."""

    manifest = Manifest(
        name="accountability", version="1.0", title=Label("問責", "Accountability"),
        settings=AccountabilitySettings, migrations="zerenzhi.plugins.accountability:migrations",
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
        from zerenzhi.plugins.accountability.demo import fill

        fill(session, settings)
