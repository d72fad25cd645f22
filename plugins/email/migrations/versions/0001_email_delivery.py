"""The e-mail plugin's mail log.

Revision ID: email_0001
Revises:
Create Date: 2026-12-04 10:00:00

Timestamps are plain ``DateTime(timezone=True)``, the column type core's UTC timestamps
map to, so this lineage imports nothing but the ``zerenzhi`` face.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zerenzhi import disable_tenant_rls, enable_tenant_rls

revision: str = "email_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_delivery",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event", sa.String(length=80), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_to", sa.JSON(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_email_delivery_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_email_delivery")),
    )
    with op.batch_alter_table("email_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_email_delivery_due",
                              ["tenant_id", "status", "next_attempt_at"], unique=False)
    enable_tenant_rls(op, "email_delivery")


def downgrade() -> None:
    disable_tenant_rls(op, "email_delivery")
    with op.batch_alter_table("email_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_email_delivery_due")
    op.drop_table("email_delivery")
