"""The e-mail notifier plugin: manifest, hooks, and ``zerenzhi email deliver``."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app, has_app_context
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from zerenzhi import (
    Event,
    Job,
    Label,
    Manifest,
    Permission,
    Plugin,
    TenantRef,
    hookimpl,
    plugin_settings,
    tenant_scope,
    townships_enabling,
    writing,
)
from zerenzhi import session as core_session
from zerenzhi.plugins.email import services
from zerenzhi.plugins.email.routes import blp
from zerenzhi.plugins.email.settings import EmailSettings

NAME = "email"


def allow_private() -> bool:
    """SMTP hosts on loopback or private networks are refused unless the app's config sets
    EMAIL_ALLOW_PRIVATE_HOSTS (a mail relay on the township's own network)."""
    return has_app_context() and bool(current_app.config.get("EMAIL_ALLOW_PRIVATE_HOSTS"))


def deliver_job(session: Session, tenant: TenantRef, now: dt.datetime) -> str:
    """The worker's periodic job: one township's due mails as of ``now``, in the worker's
    transaction (it commits; a mail in flight holds its row's claim until then). "" when
    nothing was due (no history row)."""
    delivered = services.deliver_due(session, plugin_settings(NAME),
                                     allow_private=allow_private(), now=now)
    return str(delivered) if delivered else ""


def _enabled_townships(slug: str | None) -> list[TenantRef]:
    with writing() as db:
        return townships_enabling(db, NAME, slug)


@click.group(NAME, help="E-mail notifier: reminders to a township's mailboxes over SMTP.")
def email_group() -> None:
    pass


@email_group.command("deliver")
@click.option("--township", default=None, help="Only this township (slug).")
@with_appcontext
def deliver_command(township: str | None) -> None:
    """Send due mails; failures retry with back-off (2, 4, 8… minutes)."""
    sess = core_session()
    townships = _enabled_townships(township)
    if township and not townships:
        raise click.UsageError(f"no township {township!r} with the email module enabled")
    for tenant in townships:
        with tenant_scope(tenant):
            outcome = services.deliver_due(sess, plugin_settings(NAME),
                                           allow_private=allow_private(), commit=sess.commit)
        click.echo(f"{tenant.slug}: {outcome}")


PERMISSIONS = (
    Permission("email.deliveries.read", Label("查看郵件記錄", "Read the mail log"),
               ("tenant_admin", "secretary", "office")),
)


class EmailPlugin(Plugin):
    """Built-in, and a peer of third-party plugins: it uses only the ``zerenzhi`` face."""

    manifest = Manifest(
        name=NAME, version="1.0", title=Label("郵件提醒", "E-mail notifier"),
        settings=EmailSettings, migrations="zerenzhi.plugins.email.migrations:versions",
    )
    blueprints = (blp,)
    permissions = PERMISSIONS
    jobs = (Job("email.deliver", deliver_job, every=dt.timedelta(minutes=1),
                description="send due reminder mails, retrying failures with back-off"),)

    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        cli.add_command(email_group)

    @hookimpl
    def on_event(self, session: Session, tenant: TenantRef, event: Event) -> None:
        """Queue the mail in the same transaction; the ``email.deliver`` job (or
        ``zerenzhi email deliver``) sends it."""
        services.record(session, tenant, event, plugin_settings(NAME))
