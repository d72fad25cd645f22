"""Operator commands other than ``db``; each module adds one group.

Shared here: the exit-2 error every command uses for bad input, and the session a
command works in, audited as the operator who ran it, on a database checked to be migrated
(one line naming ``zerenzhi db upgrade`` otherwise, issue 13 item 8).
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from zerenzhi import migrate
from zerenzhi.audit.recorder import Actor, reset_actor, set_actor
from zerenzhi.db.session import DatabaseMissing, close_session, session

UPGRADE = "run `zerenzhi db upgrade`"


class CommandError(click.ClickException):
    """Bad input or a conflict: the message, and exit code 2 (like a usage error)."""

    exit_code = 2


def operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class NotMigrated(click.ClickException):
    """The database's schema is not this version's: one line naming the fix, exit 1."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"the database is not migrated ({detail}): {UPGRADE}")


def lineages_behind(connection: Connection, plugin_set, *, core_only: bool = False
                    ) -> list[str]:
    """Each migration lineage (core, then plugins) whose recorded heads are not its
    scripts' heads, as "<lineage> at <revisions>, head is <revisions>"."""
    behind = []
    chatty = logging.getLogger("alembic.runtime.migration")  # "Context impl ..." per lineage
    level = chatty.level
    chatty.setLevel(logging.WARNING)
    try:
        for lineage in migrate.lineages(plugin_set)[:1 if core_only else None]:
            config = migrate.alembic_config(lineage, connection)
            wanted = sorted(ScriptDirectory.from_config(config).get_heads())
            context = MigrationContext.configure(
                connection, opts={"version_table": lineage.version_table})
            current = sorted(context.get_current_heads())
            if current != wanted:
                behind.append(f"{lineage.name} at {', '.join(current) or 'base'}, "
                              f"head is {', '.join(wanted)}")
    finally:
        chatty.setLevel(level)
    return behind


def not_migrated(connection: Connection, plugin_set, *, core_only: bool = False
                 ) -> NotMigrated | None:
    behind = lineages_behind(connection, plugin_set, core_only=core_only)
    if not behind:
        return None
    more = f"; {len(behind) - 1} more lineage(s) behind" if len(behind) > 1 else ""
    return NotMigrated(behind[0] + more)


def require_migrated(sess: Session) -> None:
    """Refuse to run a command on a core schema that is not at its head, before it reads a
    table that is not there (a traceback) or one that lacks a column (a wrong answer).
    Core only: a plugin's lineage taken down on purpose is a state commands work in
    (``recount --check`` finds what it left); a plugin never migrated fails on its first
    table, which ``zerenzhi.cli`` reports in one line as well."""
    try:
        problem = not_migrated(sess.connection(), current_app.extensions["zerenzhi"].plugins,
                               core_only=True)
    except DatabaseMissing as missing:
        raise NotMigrated(str(missing)) from None
    if problem is not None:
        raise problem


def check_database() -> None:
    """``require_migrated`` for a command that works outside ``operator_session`` (the
    worker): before it leaves anything on disk."""
    try:
        require_migrated(session())
    finally:
        close_session()


@contextmanager
def operator_session() -> Iterator[Session]:
    """The app's session for one command, audited as ``cli:<os user>``, closed after; the
    database must be migrated."""
    token = set_actor(Actor(f"cli:{operator()}"))
    try:
        sess = session()
        require_migrated(sess)
        yield sess
    finally:
        close_session()
        reset_actor(token)


def register(cli: click.Group) -> None:
    """Add every operator command to ``cli`` (``create_app`` does, for ``app.cli``)."""
    # here, not at the top: each command module imports CommandError and operator_session
    # from this package, which must be complete first
    from zerenzhi.commands import obligations, plugins
    from zerenzhi.commands.audit import audit_group
    from zerenzhi.commands.db import db_group
    from zerenzhi.commands.jobs import jobs_group
    from zerenzhi.commands.serve import serve_command
    from zerenzhi.commands.tenants import tenants_group
    from zerenzhi.commands.users import users_group
    from zerenzhi.commands.worker import worker_command

    for command in (db_group, tenants_group, users_group, audit_group, serve_command,
                    worker_command, jobs_group):
        cli.add_command(command)
    obligations.register(cli)
    plugins.register(cli)
