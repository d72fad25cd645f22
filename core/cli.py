"""The ``zerenzhi`` command (click, through Flask's CLI). Its forms are a contract."""

from __future__ import annotations

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
    from zerenzhi.db.migrate import upgrade

    config = current_app.config
    upgrade(config["MIGRATION_DATABASE_URL"], _kernel().plugins, config["DB_APP_ROLE"],
            only=only, echo=click.echo)


def register_cli(app) -> None:
    app.cli.add_command(db_group)
    from zerenzhi import commands

    commands.register(app.cli)
    app.extensions["zerenzhi"].plugins.pm.hook.register_commands(cli=app.cli)


def _make_app():
    from zerenzhi.app import create_app

    return create_app()


main = FlaskGroup(create_app=_make_app, load_dotenv=False, help="zerenzhi 責任制 operations.")
