"""County roll-up reads: a SELECT-only policy letting a county see its townships' rows of
the tables roll-ups read (obligations, ledger, org units, module state).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

from zerenzhi.db.rls import disable_county_read

COUNTY_READABLE = ("obligation", "fulfilment", "org_unit", "tenant_plugin")

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _county_read(table: str) -> None:
    """The county read policy as this revision made it (a subquery on ``tenant``; replaced
    by 0016's ``county_id`` comparison, which Citus accepts)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f'CREATE POLICY county_rollup_read ON "{table}" FOR SELECT USING (tenant_id IN '
            f"(SELECT id FROM tenant WHERE county_id = "
            f"NULLIF(current_setting('app.county_id', true), '')::uuid))")


def upgrade() -> None:
    for table in COUNTY_READABLE:
        _county_read(table)


def downgrade() -> None:
    for table in COUNTY_READABLE:
        disable_county_read(op, table)
