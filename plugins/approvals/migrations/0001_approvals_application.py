"""approvals_application: the approvals lineage's first table, under forced row-level security.

Revision ID: approvals_0001
Revises:
Create Date: 2026-11-26 06:59:23

Plugin migrations import only the public face ``zerenzhi``; ``zerenzhi.Base`` maps aware datetimes
onto ``DateTime(timezone=True)``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zerenzhi import disable_tenant_rls, enable_tenant_rls

revision: str = "approvals_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "approvals_application"


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("organiser_unit_id", sa.Uuid(), nullable=False),
        sa.Column("responsible_person", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        _moment("starts_at", nullable=False),
        _moment("ends_at", nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=4000), nullable=False),
        sa.Column("expected_participants", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("short_notice", sa.Boolean(), nullable=False),
        _moment("submitted_at"),
        sa.Column("obligation_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        _moment("decided_at"),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("conditions", sa.String(length=2000), nullable=True),
        sa.Column("approved_late", sa.Boolean(), nullable=False),
        _moment("filed_at"),
        sa.Column("filing_reference", sa.String(length=100), nullable=True),
        sa.Column("filed_with", sa.String(length=200), nullable=True),
        _moment("outcome_at"),
        sa.Column("outcome_note", sa.String(length=2000), nullable=True),
        _moment("archived_at"),
        _moment("created_at", nullable=False),
        _moment("updated_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "decided_by"], ["member.tenant_id", "member.id"],
            name=op.f("fk_approvals_application_tenant_id_decided_by_member")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "organiser_unit_id"], ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_approvals_application_tenant_id_organiser_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_approvals_application_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_approvals_application")),
    )
    op.create_index("ix_approvals_application_tenant_starts", TABLE, ["tenant_id", "starts_at"])
    enable_tenant_rls(op, TABLE)


def downgrade() -> None:
    disable_tenant_rls(op, TABLE)
    op.drop_index("ix_approvals_application_tenant_starts", table_name=TABLE)
    op.drop_table(TABLE)
