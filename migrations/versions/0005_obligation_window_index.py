"""Index for the status query's period-overlap window (bench/README.md: the window
otherwise reads a township's whole history).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_obligation_window", "obligation",
                    ["tenant_id", "period_end", "period_start"])


def downgrade() -> None:
    op.drop_index("ix_obligation_window", table_name="obligation")
