"""The inspection plugin: manifest and hooks (I1–I4)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zerenzhi import Label, Manifest, Plugin, TenantRef, hookimpl
from zerenzhi.plugins.inspection import (
    findings,
    routes,  # noqa: F401  (its views join blp)
    routes_findings,  # noqa: F401  (its views join blp)
)
from zerenzhi.plugins.inspection.blueprint import blp
from zerenzhi.plugins.inspection.pages import PAGES
from zerenzhi.plugins.inspection.rules import PERMISSIONS, RULES
from zerenzhi.plugins.inspection.scores import METRICS
from zerenzhi.plugins.inspection.settings import InspectionSettings

VERSION = "1.0.0"


class InspectionPlugin(Plugin):
    manifest = Manifest(
        name="inspection", version=VERSION, title=Label("督查", "Inspection"),
        settings=InspectionSettings, migrations="zerenzhi.plugins.inspection:migrations",
    )
    blueprints = (blp,)
    permissions = PERMISSIONS
    rules = RULES
    metrics = METRICS
    pages = PAGES  # the console's pages: campaigns, findings, ratings, interviews (I1–I4)
    # for links from other modules (accountability cases)
    references = {"inspection.finding": findings.describe}

    @hookimpl
    def demo_data(self, session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
        from zerenzhi.plugins.inspection.demo import load

        load(session, settings)
