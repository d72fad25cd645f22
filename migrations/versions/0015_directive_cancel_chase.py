"""Directives cancelled by the county (``directive.cancelled_at``) and chased while overdue
(``directive_target.chased_at``, ``chase_count``: 催辦, W1).

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zerenzhi.db.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("directive", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "cancelled_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("directive_target", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "chased_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("chase_count", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("directive_target", schema=None) as batch_op:
        batch_op.drop_column("chase_count")
        batch_op.drop_column("chased_at")
    with op.batch_alter_table("directive", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
