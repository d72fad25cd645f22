"""``zerenzhi tenants apply|export|dump|load``: provisioning files, and one township's whole
data as an archive, in and out of the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from zerenzhi.commands import CommandError, operator_session
from zerenzhi.db.session import make_engine
from zerenzhi.provisioning.dump import ArchiveError, dump_township, load_township
from zerenzhi.provisioning.provision import ProvisionError, apply_directory, export_tree

DIRECTORY = click.Path(file_okay=False, path_type=Path)


def _analyze() -> None:
    """Refresh PostgreSQL's statistics after a load: until autovacuum gets to the new rows,
    the planner takes the obligations' status query for an empty-table one, and a fresh
    demo's overview took 840 ms instead of 40 (bench/console.py, --no-analyze). As the
    schema's owner, who may analyse every table."""
    url = current_app.config["MIGRATION_DATABASE_URL"]
    if not url.startswith("postgresql"):
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    finally:
        engine.dispose()


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
    if result.changes and not dry_run:
        _analyze()
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


@tenants_group.command("dump")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Archive to write (default: SLUG-<UTC time>.zip here).")
@with_appcontext
def dump_command(slug: str, output: Path | None) -> None:
    """Write everything township SLUG owns (core, every module, its accounts) to one zip.

    The backup of one township and the way to move it to another instance
    (docs/decisions/0017-tenant-dump.md). The dump is audited in the township's log.
    """
    output = output or Path(f"{slug}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.zip")
    with operator_session() as sess:
        try:
            data = dump_township(sess, slug, current_app.extensions["zerenzhi"].plugins)
        except ArchiveError as exc:
            sess.rollback()
            raise CommandError(str(exc)) from exc
        output.write_bytes(data)
        sess.commit()
    click.echo(f"wrote {output} ({len(data)} bytes); it holds password hashes: keep it safe")


@tenants_group.command("load")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", default=None, help="Load under this slug (default: the archive's).")
@click.option("--county", default=None, help="Into this county (default: the archive's).")
@click.option("--remap-ids", is_flag=True,
              help="Give the township and every row a new id (e.g. a copy on this instance).")
@click.option("--user-suffix", default="",
              help="Append this to the township's usernames (they are unique per instance).")
@with_appcontext
def load_command(archive: Path, slug: str | None, county: str | None, remap_ids: bool,
                 user_suffix: str) -> None:
    """Restore a `tenants dump` archive as a new township, in one transaction.

    Refuses a taken slug, another schema revision or a damaged archive (nothing written).
    """
    with operator_session() as sess:
        try:
            result = load_township(sess, archive.read_bytes(),
                                   current_app.extensions["zerenzhi"].plugins, slug=slug,
                                   county=county, remap_ids=remap_ids, user_suffix=user_suffix)
        except ArchiveError as exc:
            sess.rollback()
            raise CommandError(f"{archive}: {exc} (nothing was loaded)") from exc
        except BaseException:
            sess.rollback()
            raise
        sess.commit()
    click.echo(f"loaded {result.tenant.slug} ({result.tenant.id}): "
               f"{sum(result.rows.values())} rows in {len(result.rows)} tables")
    for note in result.notes:
        click.echo(f"note: {note}")
