"""Operator commands other than ``db``; each module adds one group.

Shared here: the exit-2 error every command uses for bad input, and the session a
command works in, audited as the operator who ran it.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from zerenzhi.audit.recorder import Actor, reset_actor, set_actor
from zerenzhi.db.session import close_session, session


class CommandError(click.ClickException):
    """Bad input or a conflict: the message, and exit code 2 (like a usage error)."""

    exit_code = 2


def operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@contextmanager
def operator_session() -> Iterator[Session]:
    """The app's session for one command, audited as ``cli:<os user>``, closed after."""
    token = set_actor(Actor(f"cli:{operator()}"))
    try:
        yield session()
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
