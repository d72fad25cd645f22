"""A deployment from a higher level (W1) and the tasks it sets."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zerenzhi import Archivable, Base, TenantScoped, Timestamped, tenant_fk

LEVELS = ("central", "province", "city", "county")  # 黨中央, 省委, 市委, 縣委


class Task(TenantScoped, Archivable, Timestamped, Base):
    """One task of a deployment, carried out by a unit by ``due_on`` (an obligation)."""

    __tablename__ = "deployments_task"

    deployment_id: Mapped[uuid.UUID]
    unit_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[dt.date | None] = mapped_column(default=None)  # None: the rule's default
    completed_on: Mapped[dt.date | None] = mapped_column(default=None)
    completion: Mapped[str | None] = mapped_column(String(2000), default=None)

    __table_args__ = (
        tenant_fk("deployment_id", "deployments_deployment"),
        tenant_fk("unit_id", "org_unit"),
    )


class Deployment(TenantScoped, Archivable, Timestamped, Base):
    """A higher level's decision or instruction as received: who issued it, its document
    number and date."""

    __tablename__ = "deployments_deployment"

    level: Mapped[str] = mapped_column(String(16))  # LEVELS
    document_number: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[dt.date]
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(String(2000), default=None)

    tasks: Mapped[list[Task]] = relationship(
        Task, viewonly=True, lazy="selectin",
        order_by=lambda: (Task.due_on.is_(None), Task.due_on, Task.title),  # undated last
        primaryjoin=lambda: and_(Task.tenant_id == Deployment.tenant_id,
                                 Task.deployment_id == Deployment.id),
        foreign_keys=lambda: [Task.tenant_id, Task.deployment_id],
    )
