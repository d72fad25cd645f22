"""The plugin object: manifest and hooks of the assessment module (M4, I4)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zerenzhi import Label, Manifest, Plugin, TenantRef, hookimpl
from zerenzhi.plugins.assessment.metrics import METRICS
from zerenzhi.plugins.assessment.pages import PAGES
from zerenzhi.plugins.assessment.routes import blp
from zerenzhi.plugins.assessment.rules import ANNUAL, PERMISSIONS
from zerenzhi.plugins.assessment.settings import AssessmentSettings

VERSION = "1.0.0"


class AssessmentPlugin(Plugin):
    manifest = Manifest(
        name="assessment", version=VERSION, title=Label("考覈", "Annual assessment"),
        settings=AssessmentSettings, migrations="zerenzhi.plugins.assessment:migrations",
        # its demo scores the year's compliance, so the other modules' demo records first
        demo_after=("study", "reporting", "analysis", "inspection", "platforms", "approvals"),
    )
    blueprints = (blp,)
    pages = PAGES  # the console's page: the year's ranking, adjustments, computing
    permissions = PERMISSIONS
    rules = (ANNUAL,)
    metrics = METRICS

    @hookimpl
    def demo_data(self, session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
        from zerenzhi.plugins.assessment.demo import load

        load(session, settings)
