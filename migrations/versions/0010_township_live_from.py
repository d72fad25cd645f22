"""A township's go-live date (``live_from``): no obligation is owed for a period that ends
before it, and the calendar is materialised from it rather than on read (decision 0018).

Existing townships get the earliest of their creation day and their earliest periodic
obligation, so nothing they already track is hidden.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE tenant SET live_from = (
  SELECT CASE WHEN min(o.period_start) IS NOT NULL AND min(o.period_start) < {created}
              THEN min(o.period_start) ELSE {created} END
  FROM obligation o WHERE o.tenant_id = tenant.id AND o.trigger_id IS NULL)
WHERE kind = 'township'
"""


def upgrade() -> None:
    op.add_column("tenant", sa.Column("live_from", sa.Date(), nullable=True))
    postgresql = op.get_bind().dialect.name == "postgresql"
    created = "CAST(tenant.created_at AS DATE)" if postgresql else "date(tenant.created_at)"
    if postgresql:  # RLS is FORCEd on the owner too; the backfill spans every township
        op.execute('ALTER TABLE "obligation" NO FORCE ROW LEVEL SECURITY')
    op.execute(BACKFILL.format(created=created))
    if postgresql:
        op.execute('ALTER TABLE "obligation" FORCE ROW LEVEL SECURITY')


def downgrade() -> None:
    with op.batch_alter_table("tenant") as batch:
        batch.drop_column("live_from")
