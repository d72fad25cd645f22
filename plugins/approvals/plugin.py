"""The plugin object: manifest and hooks of the approvals module (W6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zerenzhi import Label, Manifest, Plugin, TenantRef, hookimpl
from zerenzhi.plugins.approvals import services
from zerenzhi.plugins.approvals.metrics import METRICS
from zerenzhi.plugins.approvals.pages import PAGES
from zerenzhi.plugins.approvals.routes import blp
from zerenzhi.plugins.approvals.rules import PERMISSIONS, PRIOR_APPROVAL
from zerenzhi.plugins.approvals.settings import ApprovalsSettings

VERSION = "1.0.0"


class ApprovalsPlugin(Plugin):
    manifest = Manifest(
        name="approvals", version=VERSION, title=Label("審批備案", "Approvals and filing"),
        settings=ApprovalsSettings, migrations="zerenzhi.plugins.approvals:migrations",
    )
    blueprints = (blp,)
    pages = PAGES  # the console's pages: applications, W6's check, decision and filing
    permissions = PERMISSIONS
    rules = (PRIOR_APPROVAL,)
    metrics = METRICS
    references = {services.REF_TYPE: services.describe}

    @hookimpl
    def demo_data(self, session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
        from zerenzhi.plugins.approvals.demo import load

        load(session, settings)
