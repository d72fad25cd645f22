"""The ``zerenzhi`` command (click, through Flask's CLI). Its forms are a contract.

The top of the stack: it builds the app, and ``create_app`` mounts the operator commands
(``zerenzhi.commands``, ``db`` among them) and the plugins' on ``app.cli``. It is also the
one place that turns a database an operator has not set up (a URL the app cannot use, a
schema never migrated) into one line naming the fix instead of a traceback, for every
command, core's and the plugins' alike (issue 13, operators' errors).
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, NoAppException, ScriptInfo
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from zerenzhi.app import create_app
from zerenzhi.commands import NotMigrated, not_migrated
from zerenzhi.db.session import DatabaseMissing, DatabaseUrlError


def _create_app() -> Flask:
    """The app, or Flask's "cannot load the app" error carrying the URL's problem (shown as
    one line by ``--help`` too)."""
    try:
        return create_app()
    except DatabaseUrlError as error:
        raise NoAppException(f"ZERENZHI_DATABASE_URL: {error}") from None


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def not_ready(app: Flask, error: BaseException) -> str | None:
    """What is wrong with the database, as one line, if ``error`` came from its state (not
    migrated, not reachable); None if the schema is at every head (a real fault)."""
    if isinstance(error, DatabaseMissing):
        return NotMigrated(str(error)).format_message()
    try:
        with app.extensions["zerenzhi"].db.engine.connect() as connection:
            problem = not_migrated(connection, app.extensions["zerenzhi"].plugins)
    except SQLAlchemyError as unreachable:
        return f"cannot use the database: {_first_line(unreachable)}"
    return problem.format_message() if problem else None


class ZerenzhiGroup(FlaskGroup):
    """Flask's group, whose commands report an unusable database in one line (exit 1)."""

    def invoke(self, ctx: click.Context):
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException as error:
            raise click.ClickException(error.format_message()) from None
        try:
            return super().invoke(ctx)
        except (DatabaseMissing, DatabaseUrlError, DBAPIError) as error:
            if isinstance(error, DatabaseUrlError):
                raise click.ClickException(str(error)) from None
            line = not_ready(app, error)
            if line is None:
                raise
            raise click.ClickException(line) from None


main = ZerenzhiGroup(create_app=_create_app, load_dotenv=False,
                     help="zerenzhi 責任制 operations.")
