"""Runs core's alembic lineage, then each installed plugin's, each with its own
version table (``alembic_version`` for core, ``alembic_version_<plugin>`` for plugins).

Above the layers whose models it migrates (it imports every core model module), below
the commands and fixtures that run it; not part of ``zerenzhi.db``, which they all use.

A removed third-party plugin leaves only its own version table behind, which no other
lineage reads, so later upgrades never stumble on it. New revisions are written into the
lineage's own folder (``revision``); a plugin's import only the public face ``zerenzhi``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata, renderers
from alembic.config import Config
from alembic.operations import Operations, ops
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, func, inspect, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.exc import CompileError
from sqlalchemy.types import TypeDecorator

# every module of core that maps tables, so that core_tables() knows them all
import zerenzhi.attachments.models
import zerenzhi.audit.models
import zerenzhi.auth.models
import zerenzhi.directives.models
import zerenzhi.idempotency
import zerenzhi.jobs.models
import zerenzhi.obligations.models
import zerenzhi.orgunits.models
import zerenzhi.plugin_host.models
import zerenzhi.tenancy.models  # noqa: F401
from zerenzhi.db import citus
from zerenzhi.db.base import Base
from zerenzhi.db.rls import grant_app_role
from zerenzhi.db.session import make_engine

# resolved through the package, so an installed wheel finds it as an editable checkout does
MIGRATIONS_DIR = Path(str(resources.files("zerenzhi.migrations")))


@dataclass(frozen=True)
class Lineage:
    name: str
    versions: str
    version_table: str
    owns: Callable[[str], bool]
    metadata: MetaData = Base.metadata

    def include_name(self, name, type_, _parent_names) -> bool:
        """Reflected tables: only this lineage's own."""
        if type_ == "table":
            return self.owns(name)
        return True

    def include_object(self, obj, name, type_, _reflected, _compare_to) -> bool:
        """Model tables: only this lineage's own (the metadata is shared by all)."""
        if type_ == "table":
            return self.owns(name)
        table = getattr(obj, "table", None)
        return table is None or self.owns(table.name)


@Operations.implementation_for(ops.CreateTableOp, replace=True)
def _create_table(operations: Operations, operation: ops.CreateTableOp):
    """``op.create_table`` as alembic does it, but on a distributed database (Citus, after
    ``db distribute``) in the order Citus accepts: the table without its foreign keys,
    distributed (or made a reference table), then its keys — a local table may not point at
    distributed ones. Core's lineage and every plugin's go through here, so a plugin author
    writes nothing Citus-specific."""
    kw = {}
    if operation.if_not_exists is not None:
        kw["if_not_exists"] = operation.if_not_exists
    table = operation.to_table(operations.migration_context)
    connection = operations.migration_context.connection
    if connection is None or not citus.is_distributed(connection):
        operations.impl.create_table(table, **kw)
        return table
    keys = list(table.foreign_key_constraints)
    operations.impl.create_table(table, include_foreign_key_constraints=[], **kw)
    citus.distribute_new_table(connection, table.name)
    for key in keys:
        operations.impl.add_constraint(key)
    return table


def core_tables() -> frozenset[str]:
    """Tables of core's lineage: those of the core models imported above."""
    return frozenset(
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if mapper.class_.__module__.startswith("zerenzhi.")
        and not mapper.class_.__module__.startswith("zerenzhi.plugins.")
    )


def _plugin_versions(spec: str) -> str:
    package, _, folder = spec.partition(":")
    return str(resources.files(package).joinpath(folder or "migrations"))


def lineages(plugin_set) -> list[Lineage]:
    owned = core_tables()
    result = [Lineage("core", str(MIGRATIONS_DIR / "versions"), "alembic_version",
                      owned.__contains__)]
    for installed in plugin_set.ordered() if plugin_set else ():
        manifest = installed.manifest
        if not manifest.migrations:
            continue
        prefix = manifest.table_prefix
        result.append(Lineage(
            manifest.name, _plugin_versions(manifest.migrations),
            f"alembic_version_{manifest.name}", lambda name, p=prefix: name.startswith(p),
        ))
    return result


def find_lineage(plugin_set, name: str) -> Lineage:
    """The lineage called ``name`` (core or an installed plugin with migrations)."""
    found = {lineage.name: lineage for lineage in lineages(plugin_set)}
    if name not in found:
        raise LookupError(f"no migration lineage {name!r} (lineages: {', '.join(found)})")
    return found[name]


def alembic_config(lineage: Lineage, connection, script_location: Path = MIGRATIONS_DIR
                   ) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("version_locations", lineage.versions)
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    config.attributes["lineage"] = lineage
    return config


def upgrade(url: str, plugin_set, app_role: str | None = None, target: str = "heads",
            only: str | None = None, echo: Callable[[str], None] = lambda _msg: None) -> None:
    engine = make_engine(url)
    try:
        _upgrade(engine, plugin_set, app_role, target, only, echo)
    finally:
        engine.dispose()


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection for schema changes. On SQLite, foreign keys go unenforced while they run
    and are checked once after, as SQLite's procedure for rebuilding a table asks: alembic's
    batch operations re-create a table and drop the old one, which fails while other rows
    point at it (a downgrade with data present)."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside any transaction
            connection.commit()
        yield connection
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")


def _upgrade(engine: Engine, plugin_set, app_role, target, only, echo) -> None:
    for lineage in lineages(plugin_set):
        if only and lineage.name != only:
            continue
        with _migrating(engine) as connection:
            command.upgrade(alembic_config(lineage, connection), target)
            connection.commit()
        echo(f"{lineage.name}: at {target}")
    with engine.connect() as connection:
        if citus.is_distributed(connection):
            citus.finish(connection, app_role)  # and its grants reach the new shards
        else:
            grant_app_role(connection, app_role)
        connection.commit()


def downgrade(url: str, plugin_set, lineage_name: str, target: str,
              echo: Callable[[str], None] = lambda _msg: None) -> None:
    """Take one lineage down to ``target`` (a revision, ``-1``, or ``base``); LookupError
    for a lineage that is not installed. Its dependants' tables are the caller's concern."""
    lineage = find_lineage(plugin_set, lineage_name)
    engine = make_engine(url)
    try:
        with _migrating(engine) as connection:
            command.downgrade(alembic_config(lineage, connection), target)
            connection.commit()
        echo(f"{lineage.name}: at {target}")
    finally:
        engine.dispose()


# --- what a downgrade would destroy ------------------------------------------------------

@dataclass(frozen=True)
class Loss:
    """Rows a downgrade would destroy: a whole table, or the values of one of its columns."""

    table: str
    column: str | None
    rows: int

    def __str__(self) -> str:
        if self.column is None:
            return f"drops table {self.table}: {self.rows} row(s)"
        return f"drops column {self.table}.{self.column}: {self.rows} row(s) with a value"


@dataclass(frozen=True)
class DowngradePlan:
    lineage: str
    current: tuple[str, ...]
    target: tuple[str, ...]
    losses: tuple[Loss, ...]

    @property
    def destroys_data(self) -> bool:
        return any(loss.rows for loss in self.losses)

    def lines(self) -> list[str]:
        """The plan as the command prints it."""
        head = (f"{self.lineage}: {', '.join(self.current) or 'base'} -> "
                f"{', '.join(self.target) or 'base'}")
        return [head, *(f"  {loss}" for loss in self.losses)]


def downgrade_plan(url: str, plugin_set, lineage_name: str, target: str) -> DowngradePlan:
    """What ``downgrade`` to ``target`` would do, found by doing it where it cannot stick.

    Reading the revisions' code cannot tell what they drop (a batch operation on SQLite
    re-creates a table; a revision may drop anything), so the downgrade really runs: on
    PostgreSQL inside a savepoint that is rolled back (its DDL is transactional), on SQLite
    on a copy of the database (pysqlite commits around DDL). The tables and columns present
    before and after are compared, and the rows they hold counted in the untouched
    database: a whole table's rows, or a dropped column's non-null values. On PostgreSQL the
    count runs with FORCE ROW LEVEL SECURITY lifted inside the same rolled-back transaction,
    so the owner sees every township's rows. Nothing is changed either way.
    """
    lineage = find_lineage(plugin_set, lineage_name)
    engine = make_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            return _plan_on_copy(engine, lineage, target)
        with engine.connect() as connection, connection.begin() as outer:
            try:
                _lift_forced_rls(connection)
                before, current = _schema(connection), _heads(connection, lineage)
                savepoint = connection.begin_nested()
                command.downgrade(alembic_config(lineage, connection), target)
                after, reached = _schema(connection), _heads(connection, lineage)
                savepoint.rollback()
                losses = _losses(connection, before, after)
            finally:
                outer.rollback()
    finally:
        engine.dispose()
    return DowngradePlan(lineage.name, current, reached, losses)


def _plan_on_copy(engine: Engine, lineage: Lineage, target: str) -> DowngradePlan:
    with tempfile.TemporaryDirectory(prefix="zz-downgrade-plan-") as folder:
        copy_url = f"sqlite:///{Path(folder) / 'copy.db'}"
        copy = make_engine(copy_url)
        try:
            with engine.connect() as source, copy.connect() as target_db:
                source.connection.driver_connection.backup(
                    target_db.connection.driver_connection)
            with copy.connect() as connection:
                before, current = _schema(connection), _heads(connection, lineage)
            with _migrating(copy) as connection:
                command.downgrade(alembic_config(lineage, connection), target)
                connection.commit()
            with copy.connect() as connection:
                after, reached = _schema(connection), _heads(connection, lineage)
        finally:
            copy.dispose()
    with engine.connect() as connection:
        losses = _losses(connection, before, after)
    return DowngradePlan(lineage.name, current, reached, losses)


def _schema(connection: Connection) -> dict[str, set[str]]:
    """Every table but alembic's version tables, with its columns."""
    inspector = inspect(connection)
    return {name: {column["name"] for column in inspector.get_columns(name)}
            for name in inspector.get_table_names() if not name.startswith("alembic_version")}


def _heads(connection: Connection, lineage: Lineage) -> tuple[str, ...]:
    context = MigrationContext.configure(connection,
                                         opts={"version_table": lineage.version_table})
    return tuple(sorted(context.get_current_heads()))


def _lift_forced_rls(connection: Connection) -> None:
    """Owners see every row again (only inside the caller's rolled-back transaction)."""
    forced = connection.exec_driver_sql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relforcerowsecurity AND n.nspname = current_schema()").scalars().all()
    for name in forced:
        connection.exec_driver_sql(f'ALTER TABLE "{name}" NO FORCE ROW LEVEL SECURITY')


def _losses(connection: Connection, before: dict, after: dict) -> tuple[Loss, ...]:
    losses = []
    for name in sorted(before):
        gone = sorted(before[name] - after[name]) if name in after else [None]
        for column in gone:
            statement = select(func.count()).select_from(sql_table(name))
            if column is not None:
                statement = statement.where(sql_column(column).is_not(None))
            losses.append(Loss(name, column, connection.execute(statement).scalar_one()))
    return tuple(losses)


def strict_compare_type(_context, _inspected_column, _metadata_column, inspected_type,
                        metadata_type) -> bool | None:
    """Compare column types by their full DDL where the database keeps what the migration
    declared (SQLite stores the declared type verbatim); elsewhere alembic's own comparison.

    Alembic compares type names leniently: on PostgreSQL ``FLOAT`` and ``DOUBLE PRECISION``
    are synonyms (both float8, so reflection cannot tell them apart), and a length present
    on one side only (``String(200)`` against ``sa.String()``) passes. A model's ``Float``
    against a migration's ``sa.Double()`` is drift all the same: the next autogenerate or
    another backend sees it. Compared here as ``FLOAT`` against ``DOUBLE``.
    """
    dialect = _context.dialect
    if dialect.name != "sqlite":
        return None
    return _ddl(inspected_type, dialect) != _ddl(metadata_type, dialect)


def _ddl(type_, dialect) -> str:
    try:
        return re.sub(r"\s+", "", type_.compile(dialect=dialect)).upper()
    except CompileError:  # a reflected type SQLAlchemy does not know
        return repr(type_)


def drift(url: str, plugin_set, only: str | None = None) -> dict[str, list]:
    """Differences between models and the migrated schema, per lineage (empty = in step),
    types compared strictly where the database allows (``strict_compare_type``)."""
    engine = make_engine(url)
    result = {}
    try:
        with engine.connect() as connection:
            for lineage in lineages(plugin_set):
                if only and lineage.name != only:
                    continue
                context = MigrationContext.configure(connection, opts={
                    "include_name": lineage.include_name,
                    "include_object": lineage.include_object,
                    "compare_type": strict_compare_type,
                })
                result[lineage.name] = compare_metadata(context, lineage.metadata)
    finally:
        engine.dispose()
    return result


# --- new revisions ------------------------------------------------------------------------

PLUGIN_TEMPLATE = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from zerenzhi import disable_tenant_rls, enable_tenant_rls
${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: str | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''
"""Core's ``script.py.mako`` for a plugin's lineage: the face ``zerenzhi`` instead of core's
modules, which plugins never import."""


def revision(url: str | None, plugin_set, lineage_name: str, message: str,
             autogenerate: bool = False) -> Path:
    """Write a new revision into the lineage's own folder, after its head, and return it.

    Numbered after the head (``study_0001`` → ``study_0002``). With ``autogenerate`` the
    database at ``url`` must be at the lineage's head; the revision then holds what the
    lineage's own tables lack (the other lineages' are filtered out), a new tenant table
    comes with ``enable_tenant_rls``, and a plugin's columns render as plain SQLAlchemy types.
    """
    lineage = find_lineage(plugin_set, lineage_name)
    location = MIGRATIONS_DIR if lineage.name == "core" else _plugin_script_location()
    engine = make_engine(url) if autogenerate else None
    try:
        with engine.connect() if engine else nullcontext() as connection:
            config = alembic_config(lineage, connection, location)
            script = command.revision(
                config, message, autogenerate=autogenerate, version_path=lineage.versions,
                rev_id=_next_rev_id(config, lineage),
                process_revision_directives=_directives(face_only=lineage.name != "core"))
    finally:
        if engine is not None:
            engine.dispose()
        if location != MIGRATIONS_DIR:
            shutil.rmtree(location, ignore_errors=True)
    return Path(script.path)


def _plugin_script_location() -> Path:
    """A script directory with core's environment and the plugin template."""
    location = Path(tempfile.mkdtemp(prefix="zz-revision-"))
    shutil.copy(MIGRATIONS_DIR / "env.py", location / "env.py")
    (location / "script.py.mako").write_text(PLUGIN_TEMPLATE, encoding="utf-8")
    return location


def _next_rev_id(config: Config, lineage: Lineage) -> str | None:
    """The head's id with its trailing number one up, digits kept (``study_0001`` →
    ``study_0002``); a plugin's first is ``<plugin>_0001``. None (alembic's random id) when
    the lineage has several heads or ids of another form."""
    heads = ScriptDirectory.from_config(config).get_heads()
    if not heads:
        return "0001" if lineage.name == "core" else f"{lineage.name}_0001"
    match = re.fullmatch(r"(.*?)(\d+)", heads[0]) if len(heads) == 1 else None
    if match is None:
        return None
    stem, number = match.groups()
    return f"{stem}{int(number) + 1:0{len(number)}d}"


class TenantRLSOp(ops.MigrateOperation):
    """``enable_tenant_rls(op, table)`` (or ``disable_…``) in an autogenerated revision."""

    def __init__(self, table: str, enable: bool = True) -> None:
        self.table, self.enable = table, enable

    def reverse(self) -> TenantRLSOp:
        return TenantRLSOp(self.table, not self.enable)


@renderers.dispatch_for(TenantRLSOp)
def _render_rls(_autogen_context, op: TenantRLSOp) -> str:
    return f"{'enable' if op.enable else 'disable'}_tenant_rls(op, {op.table!r})"


def _face_type(kind: str, obj: Any, _autogen_context) -> str | bool:
    """Render core's column types by what they store (``UTCDateTime`` as
    ``sa.DateTime(timezone=True)``), so a plugin's revision imports no core module."""
    if kind == "type" and isinstance(obj, TypeDecorator) and \
            type(obj).__module__.startswith("zerenzhi."):
        return f"sa.{obj.impl_instance!r}"
    return False


def _directives(face_only: bool) -> Callable:
    """Each new table with a ``tenant_id`` gets row-level security in the same revision,
    dropped again before the table on the way down; a plugin's render no core type."""

    def process(context: MigrationContext, _revision, directives: list) -> None:
        if face_only:
            context.opts["render_item"] = _face_type  # read when the script is rendered
        for script in directives:
            _add_tenant_rls(script)

    return process


def _add_tenant_rls(script: ops.MigrationScript) -> None:
    created = set()
    for upgrade_ops in script.upgrade_ops_list:
        created |= {op.table_name for op in upgrade_ops.ops if _is_tenant_table(op)}
        upgrade_ops.ops[:] = [
            item for op in upgrade_ops.ops
            for item in ([op, TenantRLSOp(op.table_name)] if _is_tenant_table(op) else [op])]
    for downgrade_ops in script.downgrade_ops_list:
        downgrade_ops.ops[:] = [
            item for op in downgrade_ops.ops
            for item in ([TenantRLSOp(op.table_name, enable=False), op]
                         if isinstance(op, ops.DropTableOp) and op.table_name in created
                         else [op])]


def _is_tenant_table(op) -> bool:
    return isinstance(op, ops.CreateTableOp) and any(
        getattr(column, "name", None) == "tenant_id" for column in op.columns)
