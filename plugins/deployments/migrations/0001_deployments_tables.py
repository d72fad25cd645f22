"""deployments_deployment and deployments_task: the deployments lineage's first tables, under
forced row-level security (W1).

Revision ID: deployments_0001
Revises:
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zerenzhi import disable_tenant_rls, enable_tenant_rls

revision: str = "deployments_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("deployments_deployment", "deployments_task")


def _common(table: str) -> list:
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f(f"fk_{table}_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "deployments_deployment",
        *_common("deployments_deployment"),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("document_number", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=True),
    )
    op.create_table(
        "deployments_task",
        *_common("deployments_task"),
        sa.Column("deployment_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completion", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "deployment_id"],
            ["deployments_deployment.tenant_id", "deployments_deployment.id"],
            name=op.f("fk_deployments_task_tenant_id_deployment_id_deployments_deployment")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"], ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_deployments_task_tenant_id_unit_id_org_unit")),
    )
    for table in TABLES:
        enable_tenant_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(op, table)
        op.drop_table(table)
