"""``zerenzhi db upgrade|downgrade|revision|distribute``: the schema of core and every
installed plugin.

``zerenzhi.migrate`` (and with it alembic, a tenth of a second) is imported by the command
that runs, not when the app registers its commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import with_appcontext

from zerenzhi.commands import CommandError, not_migrated


def _kernel():
    return current_app.extensions["zerenzhi"]


@click.group("db", help="Database schema: core and every installed plugin.")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.option("--plugin", "only", default=None, help="Only this lineage (core or a plugin).")
@with_appcontext
def db_upgrade(only: str | None) -> None:
    """Migrate core, then every installed plugin in `requires` order, to head."""
    from zerenzhi.migrate import upgrade  # alembic loads for db commands only

    config = current_app.config
    upgrade(config["MIGRATION_DATABASE_URL"], _kernel().plugins, config["DB_APP_ROLE"],
            only=only, echo=click.echo)


@db_group.command("distribute")
@click.option("--shard-count", type=click.IntRange(1, 4096), default=None,
              help="Shards per distributed table (default: the cluster's citus.shard_count; "
                   "see docs/scaling.md for choosing it).")
@with_appcontext
def db_distribute(shard_count: int | None) -> None:
    """On a Citus coordinator, after `db upgrade`: make the global tables reference tables and
    distribute every tenant table (core's and every installed plugin's) by tenant_id,
    co-located; re-grant the app role; let SET LOCAL reach the workers; then check every
    shard for forced row-level security, its policies and the app role's grants.

    Idempotent: tables already distributed are left as they are. On plain PostgreSQL it says
    why there is nothing to do and exits 2. Restart the app afterwards (its connections
    predate the database's new setting).
    """
    from zerenzhi.db import citus
    from zerenzhi.db.session import make_engine

    config = current_app.config
    engine = make_engine(config["MIGRATION_DATABASE_URL"], create=False)
    try:
        with engine.connect() as connection:
            behind = not_migrated(connection, _kernel().plugins)
            if behind is not None:
                raise behind
            try:
                done = citus.distribute(connection, config["DB_APP_ROLE"],
                                        shard_count=shard_count, echo=click.echo)
            except citus.NotCitus as exc:
                raise CommandError(str(exc)) from None
            connection.commit()
            problems = citus.shard_problems(connection, config["DB_APP_ROLE"])
    finally:
        engine.dispose()
    click.echo(f"{len(done.reference)} reference and {len(done.distributed)} distributed "
               f"table(s) made, {len(done.already)} already; {done.keys_restored} foreign "
               f"key(s) put back")
    if problems:
        raise CommandError("shards out of step:\n" + "\n".join(problems))
    click.echo("every shard: row-level security forced, its policies, the app role's grants")


@db_group.command("downgrade", context_settings={"ignore_unknown_options": True})
@click.option("--plugin", "lineage", default="core", show_default=True,
              help="The lineage to take down (core or a plugin).")
@click.option("--destroy-data", is_flag=True,
              help="Go ahead although the tables or columns it drops hold rows.")
@click.argument("target")
@with_appcontext
def db_downgrade(lineage: str, target: str, destroy_data: bool) -> None:
    """Take one lineage down to TARGET: a revision id, -1 (one step back; ``-1`` is taken as
    the target, not an option) or base (all of it).

    Prints the plan first: from and to which revisions, and each table or column it drops
    with the rows that hold data there. Refuses (exit 2, nothing changed) when any does,
    unless --destroy-data. Take plugins down before core's lineage: their tables point at
    core's.
    """
    from zerenzhi.migrate import downgrade, downgrade_plan  # alembic loads for db commands only

    url, plugins = current_app.config["MIGRATION_DATABASE_URL"], _kernel().plugins
    with _lineage_errors():
        plan = downgrade_plan(url, plugins, lineage, target)
        for line in plan.lines():
            click.echo(line)
        if plan.destroys_data and not destroy_data:
            raise CommandError("refused: the downgrade would destroy the rows above; back "
                               "them up, then run it again with --destroy-data")
        downgrade(url, plugins, lineage, target, echo=click.echo)


@db_group.command("revision")
@click.option("--plugin", "lineage", required=True,
              help="The lineage to add a revision to: a plugin's name (or core).")
@click.option("-m", "--message", required=True, help="What the revision does.")
@click.option("--autogenerate", is_flag=True,
              help="Fill it with what the lineage's own tables lack against its models (the "
                   "database must be at the lineage's head).")
@with_appcontext
def db_revision(lineage: str, message: str, autogenerate: bool) -> None:
    """Write a new revision file into the lineage's own migrations folder, after its head."""
    from zerenzhi.migrate import revision  # alembic loads for db commands only

    with _lineage_errors():
        path = revision(current_app.config["MIGRATION_DATABASE_URL"], _kernel().plugins,
                        lineage, message, autogenerate=autogenerate)
    click.echo(f"{lineage}: wrote {path}")


@contextmanager
def _lineage_errors() -> Iterator[None]:
    """An unknown lineage or alembic's refusal (not at head, unknown revision): exit 2."""
    from alembic.util import CommandError as AlembicError  # as above: only when one runs

    try:
        yield
    except (LookupError, AlembicError) as error:
        raise CommandError(str(error)) from error
