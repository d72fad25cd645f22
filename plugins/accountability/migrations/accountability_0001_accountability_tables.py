"""accountability tables: cases and the evidence they cite, under forced row-level security.

Revision ID: accountability_0001
Revises:
Create Date: 2026-11-26 07:12:16.885232

Timestamps are plain ``DateTime(timezone=True)``, the column type core's UTC timestamps
map to, so this lineage imports nothing but the ``zerenzhi`` face.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zerenzhi import disable_tenant_rls, enable_tenant_rls

revision: str = "accountability_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accountability_case",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_unit_id", sa.Uuid(), nullable=False),
        sa.Column("subject_member_id", sa.Uuid(), nullable=True),
        sa.Column("subject_name", sa.String(length=100), nullable=True),
        sa.Column("subject_post", sa.String(length=100), nullable=True),
        sa.Column("circumstances", sa.JSON(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("investigation_started_on", sa.Date(), nullable=True),
        sa.Column("investigation_note", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("sanctions", sa.JSON(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reasoning", sa.Text(), nullable=True),
        sa.Column("referred_on", sa.Date(), nullable=True),
        sa.Column("referred_to", sa.String(length=200), nullable=True),
        sa.Column("referral_reference", sa.String(length=120), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "severity IS NULL OR severity IN ('minor', 'serious', 'especially_serious')",
            name=op.f("ck_accountability_case_severity"),
        ),
        sa.CheckConstraint(
            "status IN ('opened', 'investigating', 'decided', 'referred', 'closed')",
            name=op.f("ck_accountability_case_status"),
        ),
        sa.CheckConstraint(
            "subject_kind IN ('leadership_group', 'leading_cadre')",
            name=op.f("ck_accountability_case_subject_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "subject_member_id"],
            ["member.tenant_id", "member.id"],
            name=op.f("fk_accountability_case_tenant_id_subject_member_id_member"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "subject_unit_id"],
            ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_accountability_case_tenant_id_subject_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_accountability_case_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_accountability_case")),
    )
    with op.batch_alter_table("accountability_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accountability_case_status", ["tenant_id", "status"], unique=False
        )

    op.create_table(
        "accountability_case_link",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("ref_type", sa.String(length=60), nullable=False),
        sa.Column("ref_id", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["accountability_case.tenant_id", "accountability_case.id"],
            name=op.f("fk_accountability_case_link_tenant_id_case_id_accountability_case"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_accountability_case_link_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_accountability_case_link")),
    )
    with op.batch_alter_table("accountability_case_link", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accountability_case_link_case", ["tenant_id", "case_id"], unique=False
        )
        batch_op.create_index(
            "ix_accountability_case_link_ref", ["tenant_id", "ref_type", "ref_id"], unique=False
        )
    enable_tenant_rls(op, "accountability_case")
    enable_tenant_rls(op, "accountability_case_link")


def downgrade() -> None:
    disable_tenant_rls(op, "accountability_case_link")
    disable_tenant_rls(op, "accountability_case")
    with op.batch_alter_table("accountability_case_link", schema=None) as batch_op:
        batch_op.drop_index("ix_accountability_case_link_ref")
        batch_op.drop_index("ix_accountability_case_link_case")

    op.drop_table("accountability_case_link")
    with op.batch_alter_table("accountability_case", schema=None) as batch_op:
        batch_op.drop_index("ix_accountability_case_status")

    op.drop_table("accountability_case")
