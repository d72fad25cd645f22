"""``zerenzhi tenants apply|export``: provisioning files in and out of the database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from zerenzhi.commands import CommandError, operator_session
from zerenzhi.provisioning.provision import ProvisionError, apply_directory, export_tree

DIRECTORY = click.Path(file_okay=False, path_type=Path)


def default_directory() -> Path:
    return Path(current_app.config["TENANTS_DIR"])


def apply_files(directory: Path, echo: Callable[[str], None] = click.echo,
                dry_run: bool = False) -> None:
    """Apply ``directory`` in one transaction and print each change (or ``no changes``).

    Every file is read and checked before the first write; any error rolls everything
    back and raises ``CommandError`` (exit 2). Shared with ``serve``.
    """
    if not directory.is_dir():
        raise CommandError(f"{directory}: no such folder")
    with operator_session() as sess:
        try:
            result = apply_directory(sess, directory)
        except ProvisionError as exc:
            sess.rollback()
            raise CommandError(f"{exc} (nothing was changed)") from exc
        if dry_run:
            sess.rollback()
        else:
            sess.commit()
    for line in result.changes or ["no changes"]:
        echo(line)
    for note in result.notes:
        echo(f"note: {note}")
    if dry_run and result.changes:
        echo("(dry run: nothing was written)")


@click.group("tenants", help="Counties and townships from provisioning files (tenants/).")
def tenants_group() -> None:
    pass


@tenants_group.command("apply")
@click.argument("directory", required=False, type=DIRECTORY)
@click.option("--dry-run", is_flag=True, help="Print the changes, then roll them back.")
@with_appcontext
def apply_command(directory: Path | None, dry_run: bool) -> None:
    """Make the database match the TOML files under DIRECTORY (default: TENANTS_DIR).

    Idempotent: prints one line per change, or `no changes`. Units a file no longer
    lists are archived and positions are ended, never deleted.
    """
    apply_files(directory or default_directory(), dry_run=dry_run)


@tenants_group.command("export")
@click.argument("directory", required=False, type=DIRECTORY)
@click.option("--county", default=None, help="Only this county and its townships.")
@with_appcontext
def export_command(directory: Path | None, county: str | None) -> None:
    """Write the database as TOML files under DIRECTORY (no passwords).

    Applying the export to the same database prints `no changes`.
    """
    directory = directory or default_directory()
    with operator_session() as sess:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            written = export_tree(sess, directory, county)
        except ProvisionError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            sess.rollback()
    for path in written:
        click.echo(f"wrote {path}")
