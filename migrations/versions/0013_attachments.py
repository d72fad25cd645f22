"""Attachments (issue 16, item 8): the metadata of files under plugins' records; the
bytes live in the storage backend. Tenant-scoped under forced row-level security.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zerenzhi.db.base
from zerenzhi.db.rls import disable_tenant_rls, enable_tenant_rls

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ref_type", sa.String(length=60), nullable=False),
        sa.Column("ref_id", sa.String(length=60), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("archived_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_attachment_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_ref", ["tenant_id", "ref_type", "ref_id"],
                              unique=False)
    enable_tenant_rls(op, "attachment")


def downgrade() -> None:
    disable_tenant_rls(op, "attachment")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index("ix_attachment_ref")
    op.drop_table("attachment")
