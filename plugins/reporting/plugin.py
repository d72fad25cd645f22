"""The reporting plugin: manifest and hooks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zerenzhi import Label, Manifest, Plugin, TenantRef, hookimpl
from zerenzhi.plugins.reporting import services
from zerenzhi.plugins.reporting.metrics import METRICS
from zerenzhi.plugins.reporting.pages import PAGES
from zerenzhi.plugins.reporting.routes import blp
from zerenzhi.plugins.reporting.rules import PERMISSIONS, RULES
from zerenzhi.plugins.reporting.settings import ReportingSettings


class ReportingPlugin(Plugin):
    """Built-in, and a peer of third-party plugins: it uses only the ``zerenzhi`` face."""

    manifest = Manifest(
        name="reporting", version="1.0", title=Label("報告", "Reporting"),
        settings=ReportingSettings, migrations="zerenzhi.plugins.reporting:migrations",
    )
    blueprints = (blp,)
    permissions = PERMISSIONS
    rules = RULES
    metrics = METRICS
    pages = PAGES  # the console's pages: meetings, the half-year report, situations (R1–R3)
    # minutes, the report sent upward, R3's 24-hour situation report: files on the record
    attachable = {"reporting.meeting": "reporting.meeting.read",
                  "reporting.half_year_report": "reporting.report.read",
                  "reporting.assembly_report": "reporting.report.read",
                  "reporting.situation": "reporting.situation.read"}

    @hookimpl
    def describe_reference(self, session: Session, tenant: TenantRef, ref_type: str,
                           ref_id: str) -> dict[str, Any] | None:
        """Meetings, reports and situations: one function answers all four types."""
        if not ref_type.startswith("reporting."):
            return None
        return services.describe(session, ref_type, ref_id)

    @hookimpl
    def demo_data(self, session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
        from zerenzhi.plugins.reporting.demo import fill

        fill(session, settings)
