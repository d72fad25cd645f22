"""The ``zerenzhi`` command (click, through Flask's CLI). Its forms are a contract."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext


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
    from zerenzhi.migrate import upgrade

    config = current_app.config
    upgrade(config["MIGRATION_DATABASE_URL"], _kernel().plugins, config["DB_APP_ROLE"],
            only=only, echo=click.echo)


@db_group.command("downgrade", context_settings={"ignore_unknown_options": True})
@click.option("--plugin", "lineage", default="core", show_default=True,
              help="The lineage to take down (core or a plugin).")
@click.argument("target")
@with_appcontext
def db_downgrade(lineage: str, target: str) -> None:
    """Take one lineage down to TARGET: a revision id, -1 (one step back; ``-1`` is taken as
    the target, not an option) or base (all of it).

    Take plugins down before core's lineage: their tables point at core's.
    """
    from zerenzhi.migrate import downgrade

    with _lineage_errors():
        downgrade(current_app.config["MIGRATION_DATABASE_URL"], _kernel().plugins, lineage,
                  target, echo=click.echo)


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
    from zerenzhi.migrate import revision

    with _lineage_errors():
        path = revision(current_app.config["MIGRATION_DATABASE_URL"], _kernel().plugins,
                        lineage, message, autogenerate=autogenerate)
    click.echo(f"{lineage}: wrote {path}")


@contextmanager
def _lineage_errors() -> Iterator[None]:
    """An unknown lineage or alembic's refusal (not at head, unknown revision): exit 2."""
    from alembic.util import CommandError as AlembicError

    from zerenzhi.commands import CommandError

    try:
        yield
    except (LookupError, AlembicError) as error:
        raise CommandError(str(error)) from error


def register_cli(app) -> None:
    app.cli.add_command(db_group)
    from zerenzhi import commands

    commands.register(app.cli)
    app.extensions["zerenzhi"].plugins.pm.hook.register_commands(cli=app.cli)


def _make_app():
    from zerenzhi.app import create_app

    return create_app()


main = FlaskGroup(create_app=_make_app, load_dotenv=False, help="zerenzhi 責任制 operations.")
