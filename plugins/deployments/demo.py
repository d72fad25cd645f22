"""Demo deployments (W1): one from the provincial committee, one from the county's, with
tasks of the committee and of a branch, one of them done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zerenzhi import today, units_of_kind
from zerenzhi.plugins.deployments import services
from zerenzhi.plugins.deployments.models import Deployment


def load(session: Session) -> None:
    """Once: skipped when the township already has deployments."""
    if session.scalar(select(Deployment.id).limit(1)) is not None:
        return
    now = today()
    branches = units_of_kind(session, "branch")
    branch = branches[0].id if branches else None
    provincial = services.record(session, {
        "level": "province", "document_number": "省委宣發〔2026〕7號",
        "issued_on": now - dt.timedelta(days=45),
        "title": "關於加強網絡意識形態陣地管理的通知",
        "tasks": [
            {"title": "排查本鎮網絡平臺賬號並建立台賬", "due_on": now - dt.timedelta(days=15)},
            {"title": "組織各支部專題學習", "unit_id": branch,
             "due_on": now + dt.timedelta(days=20)},
        ]})
    first = provincial.tasks[0]
    services.complete(session, provincial, first, {
        "completed_on": now - dt.timedelta(days=18), "completion": "已完成排查，台賬報鎮黨委"})
    services.record(session, {
        "level": "county", "document_number": "縣委辦〔2026〕21號",
        "issued_on": now - dt.timedelta(days=10),
        "title": "關於做好重要節點意識形態工作的通知",
        "tasks": [{"title": "開展一次前瞻性分析研判", "due_on": now + dt.timedelta(days=14)}]})
