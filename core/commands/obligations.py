"""``zerenzhi obligations remind``: due-soon, overdue and weekly digest reminders (cron);
``zerenzhi obligations recount``: check or repair the stored counts roll-ups read."""

from __future__ import annotations

import datetime as dt
import logging

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from zerenzhi.commands import CommandError, operator_session
from zerenzhi.obligations.models import Obligation
from zerenzhi.obligations.remind import DEFAULT_THRESHOLDS, remind
from zerenzhi.obligations.tally import orphans, recount, retally
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant

log = logging.getLogger("zerenzhi.reminders")


def _at(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--at: {error}") from error
    if value.tzinfo is None:
        raise CommandError("--at needs a UTC offset, e.g. 2026-06-24T09:00+08:00")
    return value


def _thresholds(text: str) -> tuple[int, ...]:
    try:
        values = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError as error:
        raise CommandError("--thresholds: whole days, comma-separated, e.g. 30,7,1") from error
    if not values or not all(1 <= value <= 366 for value in values):
        raise CommandError("--thresholds: each between 1 and 366 days")
    return values


def _townships(sess, slug: str | None) -> list[Tenant]:
    """The live townships, or the one named (CommandError when there is none)."""
    statement = select(Tenant).where(Tenant.kind == "township",
                                     Tenant.archived_at.is_(None)).order_by(Tenant.slug)
    if slug:
        statement = statement.where(Tenant.slug == slug)
    townships = list(sess.scalars(statement))
    if slug and not townships:
        raise CommandError(f"no township {slug!r}")
    return townships


@click.group("obligations", help="The obligations calendar.")
def obligations_group() -> None:
    pass


@obligations_group.command("remind")
@click.option("--township", default=None, help="Only this township (slug).")
@click.option("--at", "at_text", default=None,
              help="Act as of this moment (ISO 8601 with offset); default now.")
@click.option("--thresholds", "thresholds_text", show_default=True,
              default=",".join(map(str, DEFAULT_THRESHOLDS)),
              help="Days before the due date at which to remind.")
@with_appcontext
def remind_command(township: str | None, at_text: str | None, thresholds_text: str) -> None:
    """Emit obligation.due_soon / .overdue / .digest events once each, township by township.

    Safe to run twice: each reminder is recorded with its event, in one transaction per
    township. Exits 1 if any township failed (the others are still reminded).
    """
    at, thresholds = _at(at_text), _thresholds(thresholds_text)
    failed = 0
    with operator_session() as sess:
        townships = _townships(sess, township)
        for tenant in townships:
            with tenant_scope(tenant.ref()):
                try:
                    counts = remind(sess, at, thresholds)
                    sess.commit()
                except IntegrityError:
                    sess.rollback()
                    click.echo(f"{tenant.slug}: skipped, another run reminded it just now")
                    continue
                except Exception:
                    sess.rollback()
                    log.exception("reminders failed for %s", tenant.slug)
                    click.echo(f"{tenant.slug}: FAILED (see the log)")
                    failed += 1
                    continue
            click.echo(f"{tenant.slug}: {counts}")
    if failed:
        raise click.ClickException(f"{failed} township(s) failed")


@obligations_group.command("recount")
@click.option("--township", default=None, help="Only this township (slug).")
@click.option("--check", is_flag=True,
              help="Report obligations whose stored count differs from the ledger and ledger "
                   "entries whose source or obligation is gone; change nothing; exit 1 if any.")
@with_appcontext
def recount_command(township: str | None, check: bool) -> None:
    """Recount every obligation's stored ledger count (decision 0009), township by township.

    The app keeps the counts itself; this is for rows written around it (a bulk import, a
    hand-made fix in the database) and for monitoring (``--check``).
    """
    drifted, orphaned = 0, 0
    with operator_session() as sess:
        townships = _townships(sess, township)
        for tenant in townships:
            with tenant_scope(tenant.ref()):
                pairs = sess.execute(
                    select(Obligation.rule_key, Obligation.unit_id).distinct()).all()
                changed = recount(sess, [(tenant.id, rule, unit) for rule, unit in pairs])
                changed += retally(sess, {(tenant.id, rule) for rule, _unit in pairs})
                lost = orphans(sess, tenant.id) if check else []
                if check:
                    sess.rollback()
                else:
                    sess.commit()
            drifted += changed
            orphaned += len(lost)
            verb = "differ" if check else "recounted"
            click.echo(f"{tenant.slug}: {changed} obligation(s) or county count(s) {verb}")
            for line in lost:
                click.echo(f"{tenant.slug}: orphaned: {line}")
    problems = [f"{drifted} stored count(s) differ from the ledger or the obligations"] \
        if drifted else []
    problems += [f"{orphaned} kind(s) of orphaned ledger entries"] if orphaned else []
    if check and problems:
        raise click.ClickException("; ".join(problems))


def register(cli: click.Group) -> None:
    cli.add_command(obligations_group)
