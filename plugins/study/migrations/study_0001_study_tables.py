"""study tables: sessions, their attendance and yearly plans, under forced row-level security.

Revision ID: study_0001
Revises:
Create Date: 2026-11-26 06:58:55.841565
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zerenzhi import disable_tenant_rls, enable_tenant_rls

revision: str = "study_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "study_plan",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_study_plan_tenant_id_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_study_plan_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_study_plan")),
    )
    with op.batch_alter_table("study_plan", schema=None) as batch_op:
        batch_op.create_index(
            "ix_study_plan_unit_year", ["tenant_id", "unit_id", "year"], unique=False
        )

    op.create_table(
        "study_session",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("ideology", sa.Boolean(), nullable=False),
        sa.Column("presenter", sa.String(length=100), nullable=True),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('centralised', 'special_study', 'training')",
            name=op.f("ck_study_session_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_study_session_tenant_id_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_study_session_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_study_session")),
    )
    with op.batch_alter_table("study_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_study_session_unit_held", ["tenant_id", "unit_id", "held_on"], unique=False
        )

    op.create_table(
        "study_attendance",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("absence_reason", sa.String(length=200), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["member.tenant_id", "member.id"],
            name=op.f("fk_study_attendance_tenant_id_member_id_member"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "session_id"],
            ["study_session.tenant_id", "study_session.id"],
            name=op.f("fk_study_attendance_tenant_id_session_id_study_session"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_study_attendance_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_study_attendance")),
    )
    with op.batch_alter_table("study_attendance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_study_attendance_session", ["tenant_id", "session_id"], unique=False
        )
    enable_tenant_rls(op, "study_plan")
    enable_tenant_rls(op, "study_session")
    enable_tenant_rls(op, "study_attendance")


def downgrade() -> None:
    disable_tenant_rls(op, "study_attendance")
    disable_tenant_rls(op, "study_session")
    disable_tenant_rls(op, "study_plan")
    with op.batch_alter_table("study_attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_study_attendance_session")

    op.drop_table("study_attendance")
    with op.batch_alter_table("study_session", schema=None) as batch_op:
        batch_op.drop_index("ix_study_session_unit_held")

    op.drop_table("study_session")
    with op.batch_alter_table("study_plan", schema=None) as batch_op:
        batch_op.drop_index("ix_study_plan_unit_year")

    op.drop_table("study_plan")
