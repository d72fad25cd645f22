"""The platforms plugin: manifest and hooks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zerenzhi import Label, Manifest, Plugin, TenantRef, hookimpl
from zerenzhi.plugins.platforms import (
    incident_routes,  # noqa: F401  (its views join blp)
    incidents,
)
from zerenzhi.plugins.platforms.metrics import METRICS
from zerenzhi.plugins.platforms.pages import PAGES
from zerenzhi.plugins.platforms.routes import blp
from zerenzhi.plugins.platforms.rules import PERMISSIONS, RULES
from zerenzhi.plugins.platforms.settings import PlatformsSettings


class PlatformsPlugin(Plugin):
    """Built-in, and a peer of third-party plugins: it uses only the ``zerenzhi`` face."""

    manifest = Manifest(
        name="platforms", version="1.0", title=Label("陣地管理", "Channels and incidents"),
        settings=PlatformsSettings, migrations="zerenzhi.plugins.platforms:migrations",
    )
    blueprints = (blp,)
    pages = PAGES  # the console's pages: channels, reviews, incidents with P2's clock
    permissions = PERMISSIONS
    rules = RULES
    metrics = METRICS
    # title and status: what an accountability case cites
    references = {incidents.SOURCE_TYPE: incidents.describe}
    # P2's first report and the handling record can carry their documents (issue 16, item 8)
    attachable = {incidents.SOURCE_TYPE: "platforms.incident.read"}

    @hookimpl
    def demo_data(self, session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
        from zerenzhi.plugins.platforms.demo import fill

        fill(session, settings)
