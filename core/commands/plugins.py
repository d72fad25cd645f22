"""``zerenzhi plugins list``: what is installed, where it came from, who enabled it.

The operator's first question after ``pip install`` of a plugin is "did the service pick
it up, and for whom?" — so the listing shows each plugin's source (built-in, a
distribution, or explicit), the townships that enabled it, and the problems found at
start-up (a plugin that failed to import or broke the contract is left out, not fatal).

``zerenzhi plugins new NAME`` writes a working plugin distribution to start from
(``zerenzhi.scaffold``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zerenzhi.commands import CommandError, operator_session
from zerenzhi.labels import SUPPORTED, render
from zerenzhi.plugin_host.models import TenantPlugin
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant


@dataclass
class Usage:
    """Per plugin: townships that enabled it, and those where it was disabled by a problem."""

    enabled: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def township_usage(session: Session) -> dict[str, Usage]:
    """Read each township's plugin rows inside its own scope (tenant tables are scoped and,
    on PostgreSQL, under RLS: there is no cross-tenant query to take a shortcut with)."""
    usage: dict[str, Usage] = {}
    townships = session.scalars(select(Tenant).where(
        Tenant.kind == "township", Tenant.archived_at.is_(None)).order_by(Tenant.slug)).all()
    for township in townships:
        with tenant_scope(township.ref()):
            rows = session.scalars(select(TenantPlugin).where(
                or_(TenantPlugin.enabled, TenantPlugin.problem.is_not(None)))).all()
            for row in rows:
                entry = usage.setdefault(row.plugin, Usage())
                if row.enabled:
                    entry.enabled.append(township.slug)
                if row.problem:
                    entry.problems.append((township.slug, row.problem))
    return usage


@click.group("plugins", help="Installed plugins (modules) and the townships using them.")
def plugins_group() -> None:
    pass


@plugins_group.command("list")
@click.option("--language", type=click.Choice(SUPPORTED), default="zh-Hans", show_default=True,
              help="Script of the titles.")
@with_appcontext
def list_command(language: str) -> None:
    """Name, version, source, title and enabling townships of every installed plugin."""
    plugin_set = current_app.extensions["zerenzhi"].plugins
    with operator_session() as sess:
        usage = township_usage(sess)
        sess.rollback()
    if not plugin_set.installed:
        click.echo("no plugins installed")
    for installed in plugin_set.ordered():
        manifest, used = installed.manifest, usage.get(installed.name, Usage())
        click.echo(f"{installed.name} {manifest.version} ({installed.source}) "
                   f"{render(manifest.title, language)}")
        click.echo(f"  enabled in: {', '.join(used.enabled) or 'no township'}")
        for slug, problem in used.problems:
            click.echo(f"  problem in {slug}: {problem}")
    gone = {n for n, used in usage.items() if used.enabled and n not in plugin_set.installed}
    for name in sorted(gone):  # uninstalled but still switched on: its rows wait, harmless
        click.echo(f"{name} (not installed) still enabled in: {', '.join(usage[name].enabled)}")
    if plugin_set.problems:
        click.echo("problems at start-up:")
        for problem in plugin_set.problems:
            click.echo(f"  {problem}")


@plugins_group.command("new")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Folder to write the distribution zerenzhi-NAME/ in.")
@click.option("--title-zh", default=None,
              help="Chinese title, in either script (stored in Traditional, as labels are).")
@click.option("--title-en", default=None, help="English title (default: from NAME).")
def new_command(name: str, parent: Path, title_zh: str | None, title_en: str | None) -> None:
    """Write a plugin distribution that passes its own tests before it is edited: one table
    in its own migration lineage, routes, a rule, a metric, demo data, tests, README."""
    from zerenzhi import scaffold

    try:
        target = scaffold.generate(name, parent, title_zh=title_zh, title_en=title_en)
    except scaffold.ScaffoldError as error:
        raise CommandError(str(error)) from error
    click.echo(f"wrote {target}")
    click.echo(f"next: pip install -e {target} && pytest {target / 'tests'} (see its README.md)")


def register(cli: click.Group) -> None:
    cli.add_command(plugins_group)
