"""hello_greeting: the hello lineage's first table, under forced row-level security.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 06:48:16.120255

Plugin migrations import only the public face ``zerenzhi`` (column types are plain
SQLAlchemy: ``zerenzhi.Base`` maps aware datetimes onto ``DateTime(timezone=True)``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from zerenzhi import disable_tenant_rls, enable_tenant_rls

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hello_greeting",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("greeted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"], ["org_unit.tenant_id", "org_unit.id"],
            name=op.f("fk_hello_greeting_tenant_id_unit_id_org_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_hello_greeting_tenant_id_tenant"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_hello_greeting")),
    )
    enable_tenant_rls(op, "hello_greeting")


def downgrade() -> None:
    disable_tenant_rls(op, "hello_greeting")
    op.drop_table("hello_greeting")
