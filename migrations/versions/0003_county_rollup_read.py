"""County roll-up reads: a SELECT-only policy letting a county see its townships' rows of
the tables roll-ups read (obligations, ledger, org units, module state).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

from zerenzhi.db.rls import disable_county_read, enable_county_read

COUNTY_READABLE = ("obligation", "fulfilment", "org_unit", "tenant_plugin")

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in COUNTY_READABLE:
        enable_county_read(op, table)


def downgrade() -> None:
    for table in COUNTY_READABLE:
        disable_county_read(op, table)
