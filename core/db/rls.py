"""Row-level security for tenant tables, applied from zerenzhi.migrations (core and plugins).

PostgreSQL only; on SQLite these are no-ops and the ORM scoping is the guard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.operations import Operations

POLICY = "tenant_isolation"
SETTING = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def enable_tenant_rls(op: Operations, table: str) -> None:
    """ENABLE and FORCE RLS on ``table`` with the tenant policy (USING and WITH CHECK)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(
        f'CREATE POLICY {POLICY} ON "{table}" '
        f"USING (tenant_id = {SETTING}) WITH CHECK (tenant_id = {SETTING})"
    )


COUNTY_POLICY = "county_rollup_read"
COUNTY_SETTING = "NULLIF(current_setting('app.county_id', true), '')::uuid"
# The row's own county (``CountyReadable.county_id``, stamped on insert), not a subquery on
# ``tenant``: Citus refuses subqueries in policies on distributed tables, a SQL function in
# their place cannot query from a shard, and a list of township ids in a setting is parsed
# again for every row (decision 0029). Unset, the setting is NULL: nothing gets through.
COUNTY_USING = f"county_id = {COUNTY_SETTING}"


def enable_county_read(op: Operations, table: str) -> None:
    """Let a county's roll-up reads see its townships' rows of ``table`` (SELECT only, and
    only inside a county read scope, where ``app.county_id`` is set); the table has
    ``county_id`` (its model is ``CountyReadable``). PostgreSQL; a no-op on SQLite."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'CREATE POLICY {COUNTY_POLICY} ON "{table}" FOR SELECT USING ({COUNTY_USING})')


def disable_county_read(op: Operations, table: str) -> None:
    """In a migration's ``downgrade``: drop what ``enable_county_read`` added."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'DROP POLICY IF EXISTS {COUNTY_POLICY} ON "{table}"')


def add_county_read(op: Operations, table: str) -> None:
    """Make an existing tenant table county-readable (its model now mixes in
    ``CountyReadable``): add the nullable ``county_id``, give the rows already there their
    township's county, and ``enable_county_read``. ``drop_county_read`` reverses it.

    The fill joins ``tenant`` (an UPDATE joined to a reference table runs on every Citus
    shard; a subquery per row would not), with forced row-level security lifted for it
    (it would hide every row from the owner). On a Citus database the transaction's
    multi-shard commands run one shard connection at a time: after parallel DDL on a
    distributed table, Citus refuses to read the reference table ``tenant`` in the same
    transaction."""
    _citus_sequential(op)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column("county_id", sa.Uuid(), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        op.execute(f'UPDATE "{table}" SET county_id = (SELECT t.county_id FROM tenant t '
                   f'WHERE t.id = "{table}".tenant_id)')
        return
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'UPDATE "{table}" SET county_id = t.county_id FROM tenant t '
               f'WHERE t.id = "{table}".tenant_id AND t.county_id IS NOT NULL')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    enable_county_read(op, table)


def drop_county_read(op: Operations, table: str) -> None:
    """In a migration's ``downgrade``: undo ``add_county_read`` (the policy, then the
    column)."""
    _citus_sequential(op)
    disable_county_read(op, table)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_column("county_id")


def _citus_sequential(op: Operations) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and bind.exec_driver_sql(
            "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')").scalar():
        op.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")


def disable_tenant_rls(op: Operations, table: str) -> None:
    """In a migration's ``downgrade``: drop what ``enable_tenant_rls`` added (PostgreSQL;
    a no-op on SQLite)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')


APPEND_ONLY_TABLES = ("audit_entry", "login_attempt")
# no records, only throttling state: logins prune their expired rows (decision 0016)
PRUNED_TABLES = ("login_attempt",)


def grant_app_role(connection, role: str) -> None:
    """Give the app role what it needs and nothing more: no DELETE but on the pruned logs,
    no UPDATE on append-only tables. Runs after every upgrade, as the owner role."""
    if connection.dialect.name != "postgresql" or not role:
        return
    from psycopg import sql  # lazy: only PostgreSQL gets here, SQLite runs never load psycopg

    driver = connection.connection.driver_connection
    ident = sql.Identifier(role).as_string(driver)
    connection.exec_driver_sql(
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {ident}"
    )
    connection.exec_driver_sql(
        f"REVOKE DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public FROM {ident}")
    connection.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ident}")
    for table in APPEND_ONLY_TABLES:
        connection.exec_driver_sql(f'REVOKE UPDATE ON "{table}" FROM {ident}')
    for table in PRUNED_TABLES:
        connection.exec_driver_sql(f'GRANT DELETE ON "{table}" TO {ident}')
