"""P3 (溝通聯動): an incident keeps when it was first liaised with higher departments and
with whom, synced from its timeline like its first report (P2).

Revision ID: platforms_0002
Revises: platforms_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "platforms_0002"
down_revision: str | None = "platforms_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("platforms_incident") as batch_op:
        batch_op.add_column(sa.Column("first_liaison_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("liaised_with", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("platforms_incident") as batch_op:
        batch_op.drop_column("liaised_with")
        batch_op.drop_column("first_liaison_at")
