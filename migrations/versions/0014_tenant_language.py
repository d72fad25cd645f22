"""A tenant's default page language (``tenant.language``: zh-Hant, zh-Hans or en), so that a
township's pages show labels and stored names in the script its documents are written in.
Null: a township takes its county's; a county without one, Traditional Chinese.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tenant", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("tenant", "language")
