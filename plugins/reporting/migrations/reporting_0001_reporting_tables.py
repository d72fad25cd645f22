"""reporting tables: meetings, reports upward, major situations; forced row-level security.

Revision ID: reporting_0001
Revises:
Create Date: 2026-11-26 07:02:56.880349
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zerenzhi import disable_tenant_rls, enable_tenant_rls

revision: str = "reporting_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reporting_assembly_report",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_reporting_assembly_report_tenant_id_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_reporting_assembly_report_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reporting_assembly_report")),
    )
    op.create_table(
        "reporting_half_year_report",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("acknowledgement", sa.String(length=2000), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'acknowledged')",
            name=op.f("ck_reporting_half_year_report_status"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_reporting_half_year_report_tenant_id_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_reporting_half_year_report_tenant_id_tenant"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reporting_half_year_report")),
    )
    with op.batch_alter_table("reporting_half_year_report", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reporting_half_year_report_period", ["tenant_id", "period"], unique=False
        )

    op.create_table(
        "reporting_meeting",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.Column("decisions", sa.Text(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_reporting_meeting_tenant_id_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_reporting_meeting_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reporting_meeting")),
    )
    with op.batch_alter_table("reporting_meeting", schema=None) as batch_op:
        batch_op.create_index("ix_reporting_meeting_held", ["tenant_id", "held_on"], unique=False)

    op.create_table(
        "reporting_situation",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("obligation_id", sa.Uuid(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "obligation_id"],
            ["obligation.tenant_id", "obligation.id"],
            name=op.f("fk_reporting_situation_tenant_id_obligation_id_obligation"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_reporting_situation_tenant_id_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_reporting_situation_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reporting_situation")),
    )
    op.create_table(
        "reporting_situation_report",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("situation_id", sa.Uuid(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("proposals", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "situation_id"],
            ["reporting_situation.tenant_id", "reporting_situation.id"],
            name=op.f("fk_reporting_situation_report_tenant_id_situation_id_reporting_situation"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_reporting_situation_report_tenant_id_tenant"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_reporting_situation_report")),
    )
    with op.batch_alter_table("reporting_situation_report", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reporting_situation_report_situation", ["tenant_id", "situation_id"], unique=False
        )
    enable_tenant_rls(op, "reporting_assembly_report")
    enable_tenant_rls(op, "reporting_half_year_report")
    enable_tenant_rls(op, "reporting_meeting")
    enable_tenant_rls(op, "reporting_situation")
    enable_tenant_rls(op, "reporting_situation_report")


def downgrade() -> None:
    disable_tenant_rls(op, "reporting_situation_report")
    disable_tenant_rls(op, "reporting_situation")
    disable_tenant_rls(op, "reporting_meeting")
    disable_tenant_rls(op, "reporting_half_year_report")
    disable_tenant_rls(op, "reporting_assembly_report")
    with op.batch_alter_table("reporting_situation_report", schema=None) as batch_op:
        batch_op.drop_index("ix_reporting_situation_report_situation")

    op.drop_table("reporting_situation_report")
    op.drop_table("reporting_situation")
    with op.batch_alter_table("reporting_meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_reporting_meeting_held")

    op.drop_table("reporting_meeting")
    with op.batch_alter_table("reporting_half_year_report", schema=None) as batch_op:
        batch_op.drop_index("ix_reporting_half_year_report_period")

    op.drop_table("reporting_half_year_report")
    op.drop_table("reporting_assembly_report")
