"""Login throttling per client address (issue 17, defect 10): an index on
``login_attempt (remote_addr, at)``, so counting one address's recent failures across
usernames reads an index range instead of the whole log.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_login_attempt_remote_addr_at", "login_attempt", ["remote_addr", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempt_remote_addr_at", table_name="login_attempt")
