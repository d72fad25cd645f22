"""The study plugin: manifest and hooks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zerenzhi import Label, Manifest, Plugin, TenantRef, hookimpl
from zerenzhi.plugins.study import services
from zerenzhi.plugins.study.metrics import METRICS
from zerenzhi.plugins.study.pages import PAGES
from zerenzhi.plugins.study.routes import blp
from zerenzhi.plugins.study.rules import PERMISSIONS, RULES
from zerenzhi.plugins.study.settings import StudySettings


class StudyPlugin(Plugin):
    """Built-in, and a peer of third-party plugins: it uses only the ``zerenzhi`` face."""

    manifest = Manifest(
        name="study", version="1.0", title=Label("學習管理", "Study management"),
        settings=StudySettings, migrations="zerenzhi.plugins.study:migrations",
    )
    blueprints = (blp,)
    pages = PAGES  # the console's pages: sessions with attendance, plans, the import
    permissions = PERMISSIONS
    rules = RULES
    metrics = METRICS
    references = {services.SOURCE_TYPE: services.describe}
    attachable = {services.SOURCE_TYPE: "study.session.read"}  # sign-in sheets, photos

    @hookimpl
    def on_settings_changed(self, session: Session, tenant: TenantRef, old: dict[str, Any],
                            new: dict[str, Any]) -> None:
        """Which kinds count may have changed: every live meeting's evidence is re-said."""
        services.resync_all(session, new)

    @hookimpl
    def demo_data(self, session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
        from zerenzhi.plugins.study.demo import fill

        fill(session, settings)
