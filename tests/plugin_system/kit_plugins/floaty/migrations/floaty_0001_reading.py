"""floaty_reading, declared ``sa.Double()`` where the model says ``Float``.

Revision ID: floaty_0001
Revises:
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zerenzhi import disable_tenant_rls, enable_tenant_rls

revision: str = "floaty_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "floaty_reading",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_floaty_reading_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_floaty_reading")),
    )
    enable_tenant_rls(op, "floaty_reading")


def downgrade() -> None:
    disable_tenant_rls(op, "floaty_reading")
    op.drop_table("floaty_reading")
