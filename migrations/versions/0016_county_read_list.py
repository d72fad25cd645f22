"""Each county-readable table carries its township's county (``county_id``, stamped on
insert by the central scoping), and the county read policy compares it with
``app.county_id`` instead of reading ``tenant`` in a subquery, which Citus refuses on
distributed tables (decision 0029). Existing rows get their township's county.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zerenzhi.db.rls import COUNTY_POLICY, COUNTY_USING

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("obligation", "fulfilment", "org_unit", "tenant_plugin", "directive_target",
          "inbox_item")
_SUBQUERY = ("tenant_id IN (SELECT id FROM tenant WHERE county_id = "
             "NULLIF(current_setting('app.county_id', true), '')::uuid)")
_FILL = ('UPDATE "{table}" SET county_id = (SELECT t.county_id FROM tenant t '
         'WHERE t.id = "{table}".tenant_id)')


def _policy(table: str, using: str) -> None:
    op.execute(f'DROP POLICY IF EXISTS {COUNTY_POLICY} ON "{table}"')
    op.execute(f'CREATE POLICY {COUNTY_POLICY} ON "{table}" FOR SELECT USING ({using})')


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("county_id", sa.Uuid(), nullable=True))
        if postgresql:  # RLS is FORCEd on the owner too; the fill spans every township
            op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        op.execute(_FILL.format(table=table))
        if postgresql:
            op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
            _policy(table, COUNTY_USING)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        if bind.exec_driver_sql("SELECT EXISTS (SELECT FROM pg_extension "
                                "WHERE extname = 'citus')").scalar() and bind.exec_driver_sql(
                "SELECT count(*) FROM pg_dist_partition").scalar():
            raise RuntimeError("below 0016 the county policy is a subquery, which Citus "
                               "refuses on distributed tables: this database cannot go below "
                               "0016")
        for table in TABLES:
            _policy(table, _SUBQUERY)
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("county_id")
