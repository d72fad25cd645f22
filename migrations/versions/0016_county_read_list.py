"""The county read policy compares ``tenant_id`` with the township ids the session sends
(``app.county_townships``) instead of a subquery on ``tenant``: Citus refuses subqueries in
policies on distributed tables (decision 0029). Every table carrying the policy gets the
new one; the ORM's criteria use the same list.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

from alembic import op

from zerenzhi.db.rls import COUNTY_POLICY, COUNTY_USING

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUBQUERY = ("tenant_id IN (SELECT id FROM tenant WHERE county_id = "
             "NULLIF(current_setting('app.county_id', true), '')::uuid)")


def _tables() -> list[str]:
    return list(op.get_bind().exec_driver_sql(
        "SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
        "WHERE p.polname = %s ORDER BY 1", (COUNTY_POLICY,)).scalars())


def _replace(using: str) -> None:
    for table in _tables():
        op.execute(f'DROP POLICY {COUNTY_POLICY} ON "{table}"')
        op.execute(f'CREATE POLICY {COUNTY_POLICY} ON "{table}" FOR SELECT USING ({using})')


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace(COUNTY_USING)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    distributed = op.get_bind().exec_driver_sql(
        "SELECT to_regclass('pg_dist_partition') IS NOT NULL AND "
        "EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')").scalar()
    if distributed and op.get_bind().exec_driver_sql(
            "SELECT count(*) FROM pg_dist_partition").scalar():
        raise RuntimeError("below 0016 the county policy is a subquery, which Citus refuses on "
                           "distributed tables: this database cannot go below 0016")
    _replace(_SUBQUERY)
