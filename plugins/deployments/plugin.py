"""The plugin object: manifest and hooks of the deployments module (W1)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zerenzhi import Label, Manifest, Plugin, TenantRef, hookimpl
from zerenzhi.plugins.deployments.routes import blp
from zerenzhi.plugins.deployments.rules import PERMISSIONS, TASK

VERSION = "1.0.0"


class DeploymentsPlugin(Plugin):
    manifest = Manifest(
        name="deployments", version=VERSION,
        title=Label("上級部署", "Deployments from higher levels"),
        migrations="zerenzhi.plugins.deployments:migrations",
    )
    blueprints = (blp,)
    permissions = PERMISSIONS
    rules = (TASK,)

    @hookimpl
    def demo_data(self, session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
        from zerenzhi.plugins.deployments.demo import load

        load(session)
