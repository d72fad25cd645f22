"""The plugin object: manifest and hooks of the approvals module (W6)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from zerenzhi import (
    Blueprint,
    Label,
    Manifest,
    Permission,
    RollupMetric,
    RuleDef,
    current_tenant,
    hookimpl,
)
from zerenzhi.plugins.approvals.models import Application
from zerenzhi.plugins.approvals.routes import blp
from zerenzhi.plugins.approvals.rules import PERMISSIONS, PRIOR_APPROVAL, STATUSES
from zerenzhi.plugins.approvals.settings import ApprovalsSettings

VERSION = "1.0.0"
REF_TYPE = "approvals.application"


def _approved_late(session, period) -> int:
    """Activities starting in ``period`` that the committee approved only after the start."""
    begin, after = period.bounds(current_tenant().timezone)
    return session.scalar(select(func.count()).select_from(Application).where(
        Application.archived_at.is_(None), Application.approved_late.is_(True),
        Application.starts_at >= begin, Application.starts_at < after))


class ApprovalsPlugin:
    manifest = Manifest(
        name="approvals", version=VERSION, title=Label("審批備案", "Approvals and filing"),
        settings=ApprovalsSettings, migrations="zerenzhi.plugins.approvals:migrations",
    )

    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
        return [blp]

    @hookimpl
    def register_permissions(self) -> list[Permission]:
        return PERMISSIONS

    @hookimpl
    def register_rules(self) -> list[RuleDef]:
        return [PRIOR_APPROVAL]

    @hookimpl
    def register_rollup_metrics(self) -> list[RollupMetric]:
        return [RollupMetric("approvals.approved_late",
                             Label("事後審批的活動", "Activities approved after they started"),
                             "count", _approved_late, Label("項", "activities"))]

    @hookimpl
    def describe_reference(self, session, tenant, ref_type: str,
                           ref_id: str) -> dict[str, Any] | None:
        """An application as a link target (an accountability case citing K8, say)."""
        if ref_type != REF_TYPE:
            return None
        try:
            application_id = uuid.UUID(str(ref_id))
        except ValueError:
            return None
        application = session.scalar(select(Application).where(Application.id == application_id))
        if application is None:
            return None
        return {"type": REF_TYPE, "id": str(application.id), "title": application.title,
                "status": application.status, "status_label": STATUSES[application.status].zh,
                "approved_late": application.approved_late}

    @hookimpl
    def demo_data(self, session, tenant, settings: dict) -> None:
        from zerenzhi.plugins.approvals.demo import load

        load(session, settings)
