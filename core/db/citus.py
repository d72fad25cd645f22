"""Citus: the schema distributed across a coordinator and workers (docs/scaling.md).

Global tables (no ``tenant_id``: townships, accounts, tokens, login throttling, worker
heartbeats) become reference tables, copied to every node; every tenant table (core's and
every plugin's: ``tenant_id`` leads its primary key) is distributed by ``tenant_id``, all
co-located with ``org_unit``, so one township's rows of every table sit on one shard group
and its requests run on one worker. Everything is read from the catalogue, not the models,
so a plugin's tables are covered without knowing it.

Order matters and Citus is strict about it (measured on Citus 13.2.2): a table can be
distributed only when the tables it points at already are, a reference table may not be
pointed at by a local table while ``citus.enable_local_reference_table_foreign_keys`` turns
those into "Citus local tables" (then nothing distributes), and a foreign key from a local
table to a distributed one is refused. So ``distribute`` lifts the foreign keys, distributes
every table, and puts the keys back, in one transaction; a migration creating a table on a
distributed database does the same for that table (``zerenzhi.migrate``).

Roles: the policies read ``SET LOCAL app.*`` settings, which reach the workers' connections
of a transaction only with ``citus.propagate_set_commands = 'local'``: set on the database,
so the app role and the owner (whose audited repairs run under a tenant) both have it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection

TENANT_COLUMN = "tenant_id"
COLOCATE_WITH = "org_unit"  # every tenant table is co-located with it


class NotCitus(RuntimeError):
    """The database has no Citus extension: there is nothing to distribute."""


NOT_CITUS = (
    "this database is plain PostgreSQL (no citus extension): nothing to distribute. One "
    "server carries a province's township work (docs/scaling.md); to scale out, install "
    "Citus on every node, CREATE EXTENSION citus in this database on each (as a superuser), "
    "add the workers with citus_add_node() on the coordinator, then run this again.")


def has_citus(connection: Connection) -> bool:
    """The citus extension is installed in this database."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.exec_driver_sql(
        "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')").scalar())


def distributed_tables(connection: Connection) -> dict[str, str]:
    """Tables Citus already manages: name → ``distributed`` or ``reference``."""
    if not has_citus(connection):
        return {}
    rows = connection.exec_driver_sql(
        "SELECT logicalrelid::regclass::text, partmethod FROM pg_dist_partition").all()
    return {name.strip('"'): ("reference" if method == "n" else "distributed")
            for name, method in rows}


def is_distributed(connection: Connection) -> bool:
    """The database runs on Citus and its tables are distributed (``db distribute`` ran)."""
    return COLOCATE_WITH in distributed_tables(connection)


def _tables(connection: Connection) -> dict[str, bool]:
    """The schema's tables (alembic's version tables included) → whether it has
    ``tenant_id``."""
    rows = connection.exec_driver_sql(
        "SELECT c.relname, EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid "
        "AND a.attname = %s AND NOT a.attisdropped) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1",
        (TENANT_COLUMN,)).all()
    return dict(rows)


@dataclass(frozen=True)
class ForeignKey:
    table: str
    name: str
    definition: str
    referred: str


def _foreign_keys(connection: Connection) -> list[ForeignKey]:
    rows = connection.exec_driver_sql(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), "
        "c.confrelid::regclass::text FROM pg_constraint c "
        "JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE c.contype = 'f' AND n.nspname = current_schema() ORDER BY 1, 2").all()
    return [ForeignKey(table.strip('"'), name, definition, referred.strip('"'))
            for table, name, definition, referred in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _order(tables: list[str], keys: list[ForeignKey]) -> list[str]:
    """``tables`` with every table after those it points at (``org_unit``, the co-location
    anchor, first among the tenant tables); a cycle keeps the remaining names' order."""
    pending = {name: {k.referred for k in keys if k.table == name and k.referred != name
                      and k.referred in tables} for name in tables}
    ordered: list[str] = []
    if COLOCATE_WITH in pending:
        pending.pop(COLOCATE_WITH)
        ordered.append(COLOCATE_WITH)
    while pending:
        ready = [name for name, needs in pending.items() if needs <= set(ordered)] \
            or [next(iter(pending))]
        for name in sorted(ready):
            pending.pop(name)
            ordered.append(name)
    return ordered


@dataclass
class Distribution:
    """What ``distribute`` did: tables made reference/distributed, those already so."""

    reference: list[str] = field(default_factory=list)
    distributed: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    keys_restored: int = 0


def _make(connection: Connection, name: str, tenant: bool) -> None:
    if tenant:
        colocate = "none" if name == COLOCATE_WITH else COLOCATE_WITH
        connection.exec_driver_sql(
            "SELECT create_distributed_table(%s, %s, colocate_with => %s)",
            (_quote(name), TENANT_COLUMN, colocate))
    else:
        connection.exec_driver_sql("SELECT create_reference_table(%s)", (_quote(name),))


def distribute(connection: Connection, app_role: str | None, *,
               shard_count: int | None = None,
               echo: Callable[[str], None] = lambda _msg: None) -> Distribution:
    """Distribute every table not yet distributed, in one transaction (the caller's:
    commit after). Idempotent: what Citus already manages is left alone.

    NotCitus on a database without the extension. Afterwards re-grants the app role and
    sets ``citus.propagate_set_commands`` on the database.
    """
    if connection.dialect.name != "postgresql":
        raise NotCitus("this database is SQLite: nothing to distribute (Citus extends "
                       "PostgreSQL; docs/scaling.md)")
    if not has_citus(connection):
        raise NotCitus(NOT_CITUS)
    done = distributed_tables(connection)
    tables = _tables(connection)
    if COLOCATE_WITH not in tables:
        raise RuntimeError(f"no {COLOCATE_WITH} table: run `zerenzhi db upgrade` first")
    keys = _foreign_keys(connection)
    todo = [name for name in tables if name not in done]
    result = Distribution(already=sorted(done))
    # DDL and copies on many shards in one transaction: over one connection per worker,
    # as Citus requires once a reference table has been written in the transaction
    connection.exec_driver_sql("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
    connection.exec_driver_sql("SET LOCAL citus.enable_local_reference_table_foreign_keys "
                               "TO off")
    if shard_count:
        connection.exec_driver_sql(f"SET LOCAL citus.shard_count TO {int(shard_count)}")
    # the rows already there are copied to the shards as the owner, whom FORCEd row-level
    # security would show none of: lifted for the copy, inside this transaction
    forced = list(connection.exec_driver_sql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relforcerowsecurity").scalars())
    forced = [name for name in forced if name in todo]
    for name in forced:
        connection.exec_driver_sql(f"ALTER TABLE {_quote(name)} NO FORCE ROW LEVEL SECURITY")
    lifted = [key for key in keys if key.table in todo or key.referred in todo]
    for key in lifted:
        connection.exec_driver_sql(
            f"ALTER TABLE {_quote(key.table)} DROP CONSTRAINT {_quote(key.name)}")
    for name in _order([t for t in todo if not tables[t]], keys):
        _make(connection, name, tenant=False)
        result.reference.append(name)
        echo(f"reference table: {name}")
    for name in _order([t for t in todo if tables[t]], keys):
        _make(connection, name, tenant=True)
        result.distributed.append(name)
        echo(f"distributed by {TENANT_COLUMN}: {name}")
    for key in lifted:
        connection.exec_driver_sql(
            f"ALTER TABLE {_quote(key.table)} ADD CONSTRAINT {_quote(key.name)} "
            f"{key.definition}")
    result.keys_restored = len(lifted)
    for name in forced:
        connection.exec_driver_sql(f"ALTER TABLE {_quote(name)} FORCE ROW LEVEL SECURITY")
    finish(connection, app_role)
    return result


def distribute_new_table(connection: Connection, name: str) -> None:
    """A table a migration has just created on a distributed database (before its foreign
    keys): distributed by ``tenant_id`` beside the others, or a reference table."""
    connection.exec_driver_sql("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
    _make(connection, name, tenant=_tables(connection).get(name, False))


def finish(connection: Connection, app_role: str | None) -> None:
    """Re-grant the app role (its grants reach the shards through the coordinator) and let
    both roles' ``SET LOCAL``s reach the workers in this database."""
    from zerenzhi.db.rls import grant_app_role

    grant_app_role(connection, app_role)
    database = connection.exec_driver_sql("SELECT current_database()").scalar_one()
    connection.exec_driver_sql(
        f"ALTER DATABASE {_quote(database)} SET citus.propagate_set_commands = 'local'")


SHARD_STATE = ("SELECT relforcerowsecurity::text || ' ' || (SELECT count(*) FROM pg_policy "
               "WHERE polrelid = '%1$s'::regclass) FROM pg_class WHERE oid = '%1$s'::regclass")


def shard_problems(connection: Connection, app_role: str | None) -> list[str]:
    """Shards that lost what their table has: forced row-level security, its policies, the
    app role's privileges. Empty when every shard of every distributed table keeps them."""
    problems = []
    for name, kind in sorted(distributed_tables(connection).items()):
        if kind != "distributed":
            continue
        want = connection.exec_driver_sql(
            "SELECT relforcerowsecurity::text || ' ' || (SELECT count(*) FROM pg_policy "
            "WHERE polrelid = c.oid) FROM pg_class c WHERE c.oid = %s::regclass",
            (_quote(name),)).scalar_one()
        rows = connection.exec_driver_sql(
            "SELECT shardid, success, result FROM run_command_on_shards(%s, %s)",
            (_quote(name), SHARD_STATE)).all()
        problems += [f"{name}: shard {shard} has RLS forced/policies {result!r}, "
                     f"the table {want!r}" for shard, ok, result in rows
                     if not ok or result != want]
        if app_role:
            check = ("SELECT has_table_privilege(" + _literal(app_role)
                     + ", '%s', 'SELECT, INSERT, UPDATE')::text")
            rows = connection.exec_driver_sql(
                "SELECT shardid, success, result FROM run_command_on_shards(%s, %s)",
                (_quote(name), check)).all()
            problems += [f"{name}: shard {shard}: {app_role} lacks SELECT/INSERT/UPDATE "
                         f"({result})" for shard, ok, result in rows
                         if not ok or result != "true"]
    return problems


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
