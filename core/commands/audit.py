"""``zerenzhi audit verify``: re-compute each tenant's hash chain and report breaks."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from zerenzhi.audit.verify import head, verify_chain
from zerenzhi.commands import CommandError, operator_session
from zerenzhi.tenancy.context import tenant_scope
from zerenzhi.tenancy.models import Tenant


@click.group("audit", help="The hash-chained audit log.")
def audit_group() -> None:
    pass


@audit_group.command("verify")
@click.option("--township", default=None, help="Only this township (slug).")
@click.option("--county", default=None, help="Only this county (slug).")
@with_appcontext
def verify_command(township: str | None, county: str | None) -> None:
    """Check one or every tenant's chain; exit 1 if any entry was edited, deleted or moved."""
    if township and county:
        raise CommandError("give --township or --county, not both")
    broken = False
    with operator_session() as sess:
        statement = select(Tenant).order_by(Tenant.kind, Tenant.slug)
        if township or county:
            statement = statement.where(Tenant.slug == (township or county),
                                        Tenant.kind == ("township" if township else "county"))
        tenants = sess.scalars(statement).all()
        if not tenants and (township or county):
            raise CommandError(f"no {'township' if township else 'county'} "
                               f"{township or county!r}")
        for tenant in tenants:
            with tenant_scope(tenant.ref()):
                count, chain_break = verify_chain(sess)
                last = head(sess)
            if chain_break is None:
                click.echo(f"ok {tenant.slug}: {count} entries, head {last or '-'}")
            else:
                broken = True
                click.echo(f"BROKEN {tenant.slug} at entry {chain_break.seq}: "
                           f"{chain_break.reason}")
        sess.rollback()
    if broken:
        click.get_current_context().exit(1)
