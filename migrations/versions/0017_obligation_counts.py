"""Obligations counted per (township, rule, period, due moment, outcome): what county
roll-ups read instead of every obligation (decision 0033). Kept by the session in the writing
transaction (``zerenzhi.obligations.tally``); filled here from the obligations already there.

Revision ID: 0017
Revises: 0016
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zerenzhi.db.base
from zerenzhi.db.rls import (
    disable_county_read,
    disable_tenant_rls,
    enable_county_read,
    enable_tenant_rls,
)

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the outcome rule of zerenzhi.obligations.tally.retally, for the rows already there
GROUPS = """
SELECT tenant_id, county_id, rule_key, period_start, period_end, due_at,
       CASE WHEN waived_at IS NOT NULL THEN 'waived'
            WHEN counted >= min_count THEN 'met' ELSE 'owed' END AS outcome, count(*) AS n
FROM obligation WHERE archived_at IS NULL
GROUP BY tenant_id, county_id, rule_key, period_start, period_end, due_at, 7
"""


def upgrade() -> None:
    table = op.create_table(
        "obligation_count",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rule_key", sa.String(length=80), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_at", zerenzhi.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("county_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_obligation_count_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_obligation_count")),
        sa.UniqueConstraint("tenant_id", "rule_key", "period_start", "period_end", "due_at",
                            "outcome", name="uq_obligation_count_group"),
    )
    with op.batch_alter_table("obligation_count", schema=None) as batch_op:
        batch_op.create_index("ix_obligation_count_window",
                              ["tenant_id", "period_end", "period_start"], unique=False)
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # RLS is FORCEd on the owner too; the fill spans every township
        op.execute('ALTER TABLE "obligation" NO FORCE ROW LEVEL SECURITY')
    rows = op.get_bind().execute(sa.text(GROUPS).columns(
        period_start=sa.Date(), period_end=sa.Date(),
        due_at=zerenzhi.db.base.UTCDateTime(timezone=True))).mappings().all()
    if postgresql:
        op.execute('ALTER TABLE "obligation" FORCE ROW LEVEL SECURITY')
    if rows:  # ids made here: the same on every backend, and on a distributed database
        op.bulk_insert(table, [{**row, "id": zerenzhi.db.base.new_id(),
                                "tenant_id": _uuid(row["tenant_id"]),
                                "county_id": row["county_id"] and _uuid(row["county_id"])}
                               for row in rows])
    enable_tenant_rls(op, "obligation_count")
    enable_county_read(op, "obligation_count")


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=str(value))


def downgrade() -> None:
    disable_county_read(op, "obligation_count")
    with op.batch_alter_table("obligation_count", schema=None) as batch_op:
        batch_op.drop_index("ix_obligation_count_window")
    disable_tenant_rls(op, "obligation_count")
    op.drop_table("obligation_count")
