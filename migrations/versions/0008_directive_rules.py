"""Directives of a second kind (W1): an extra rule for a period. The directive and each
township's copy carry its terms (kind, period, unit kinds, min_count); units record their
progress in ``directive_report``, the township's own rows (not county-readable: the county
reads the counts off the obligations).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zerenzhi.db.base
from zerenzhi.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WITH_TERMS = ("directive", "directive_target")


def _terms() -> list[sa.Column]:
    return [
        sa.Column("kind", sa.String(length=8), server_default="task", nullable=False),
        sa.Column("period", sa.String(length=8), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("applies_to", sa.JSON(), nullable=True),
        sa.Column("min_count", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    for table in WITH_TERMS:
        with op.batch_alter_table(table) as batch_op:
            for column in _terms():
                batch_op.add_column(column)
    op.create_table(
        "directive_report",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("directive_id", sa.Uuid(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("obligation_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("archived_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "obligation_id"], ["obligation.tenant_id", "obligation.id"],
            name=op.f("fk_directive_report_tenant_id_obligation_id_obligation")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "target_id"], ["directive_target.tenant_id", "directive_target.id"],
            name=op.f("fk_directive_report_tenant_id_target_id_directive_target")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"], ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_directive_report_tenant_id_unit_id_org_unit")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_directive_report_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_directive_report")),
    )
    op.create_index("ix_directive_report_unit", "directive_report",
                    ["tenant_id", "directive_id", "unit_id"], unique=False)
    enable_tenant_rls(op, "directive_report")


def downgrade() -> None:
    disable_tenant_rls(op, "directive_report")
    op.drop_index("ix_directive_report_unit", table_name="directive_report")
    op.drop_table("directive_report")
    for table in WITH_TERMS:
        with op.batch_alter_table(table) as batch_op:
            for column in reversed(_terms()):
                batch_op.drop_column(column.name)
