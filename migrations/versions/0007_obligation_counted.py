"""Store each obligation's count of live ledger entries (``counted``), so county roll-ups read
obligations only, and index what is still owed by due date (decision 0009).

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "archived_at IS NULL AND waived_at IS NULL AND counted < min_count"
# the ledger rule of zerenzhi.obligations.status / zerenzhi.obligations.tally, for existing rows
BACKFILL = """
UPDATE obligation SET counted = (
  SELECT count(*) FROM fulfilment f
  WHERE f.tenant_id = obligation.tenant_id AND f.rule_key = obligation.rule_key
    AND f.unit_id = obligation.unit_id AND f.archived_at IS NULL
    AND ((obligation.trigger_id IS NULL
          AND f.occurred_on BETWEEN obligation.period_start AND obligation.period_end)
         OR f.obligation_id = obligation.id))
"""


def upgrade() -> None:
    op.add_column("obligation", sa.Column("counted", sa.Integer(), nullable=False,
                                          server_default="0"))
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # RLS is FORCEd on the owner too; the backfill spans every township
        for table in ("obligation", "fulfilment"):
            op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(BACKFILL)
    if postgresql:
        for table in ("obligation", "fulfilment"):
            op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.create_index("ix_obligation_open", "obligation", ["tenant_id", "due_at"],
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade() -> None:
    op.drop_index("ix_obligation_open", table_name="obligation")
    with op.batch_alter_table("obligation") as batch_op:
        batch_op.drop_column("counted")
