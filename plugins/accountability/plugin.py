"""The accountability plugin: manifest and hooks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zerenzhi import Label, Manifest, Plugin, TenantRef, hookimpl
from zerenzhi.plugins.accountability import services
from zerenzhi.plugins.accountability.metrics import METRICS
from zerenzhi.plugins.accountability.pages import PAGES
from zerenzhi.plugins.accountability.routes import blp
from zerenzhi.plugins.accountability.rules import PERMISSIONS
from zerenzhi.plugins.accountability.settings import AccountabilitySettings


class AccountabilityPlugin(Plugin):
    """Built-in, and a peer of third-party plugins: it uses only the ``zerenzhi`` face and
    reaches other modules' records only through core references."""

    manifest = Manifest(
        name="accountability", version="1.0", title=Label("問責", "Accountability"),
        settings=AccountabilitySettings, migrations="zerenzhi.plugins.accountability:migrations",
        demo_after=("platforms", "inspection"),  # its demo case cites their records
    )
    blueprints = (blp,)
    pages = PAGES  # the console's pages: cases, the proposal from the table, referral
    permissions = PERMISSIONS
    metrics = METRICS
    # a neutral title and the status only
    references = {"accountability.case": services.describe}

    @hookimpl
    def demo_data(self, session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
        from zerenzhi.plugins.accountability.demo import fill

        fill(session, settings)
