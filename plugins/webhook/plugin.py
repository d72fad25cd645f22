"""The webhook notifier plugin: manifest, hooks, its periodic delivery job (run by
``zerenzhi worker``) and ``zerenzhi webhook deliver`` (the same work, for cron)."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
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
from zerenzhi.plugins.webhook import services
from zerenzhi.plugins.webhook.pages import PAGES
from zerenzhi.plugins.webhook.routes import blp
from zerenzhi.plugins.webhook.settings import WebhookSettings

NAME = "webhook"


def _enabled_townships(slug: str | None) -> list[TenantRef]:
    """Townships that enabled this plugin (optionally just ``slug``)."""
    with writing() as db:
        return townships_enabling(db, NAME, slug)


def _allow_private() -> bool:
    """Targets on loopback or private networks only if the app's config allows them
    (WEBHOOK_ALLOW_PRIVATE_TARGETS: an embedded install on a township's own network)."""
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE_TARGETS"))


def deliver_job(session: Session, tenant: TenantRef, now: dt.datetime) -> str:
    """The worker's job: send one township's due deliveries as of ``now``; failures retry
    with backoff. It commits nothing, as every job: the worker commits the settled rows
    with the run's record, and until then each claimed row's lock keeps an overlapping
    ``webhook deliver`` off it. "" when nothing was due (no history row)."""
    delivered = services.deliver_due(session, plugin_settings(NAME),
                                     allow_private=_allow_private(), now=now)
    return str(delivered) if delivered else ""


@click.group(NAME, help="Webhook notifier: deliveries to group-chat robots and endpoints.")
def webhook_group() -> None:
    pass


@webhook_group.command("deliver")
@click.option("--township", default=None, help="Only this township (slug).")
@with_appcontext
def deliver_command(township: str | None) -> None:
    """Send due deliveries (cron, every minute or so); failures retry with backoff.

    Targets on loopback or private networks are refused unless the app's config sets
    WEBHOOK_ALLOW_PRIVATE_TARGETS (an embedded install on a township's own network). Each
    delivery's claim is committed before it is sent, so two overlapping runs never send
    one twice.
    """
    sess = core_session()
    allow_private = _allow_private()
    townships = _enabled_townships(township)
    if township and not townships:
        raise click.UsageError(f"no township {township!r} with the webhook module enabled")
    for tenant in townships:
        with tenant_scope(tenant):
            outcome = services.deliver_due(sess, plugin_settings(NAME),
                                           allow_private=allow_private, commit=sess.commit)
        click.echo(f"{tenant.slug}: {outcome}")


PERMISSIONS = (
    Permission("webhook.deliveries.read", Label("查看推送記錄", "Read the webhook delivery log"),
               ("tenant_admin", "secretary", "office")),
    # who sets the target (plugins.manage: the township's administrator) tests it
    Permission("webhook.test.send", Label("發送測試推送", "Send a test webhook message"),
               ("tenant_admin",)),
)


class WebhookPlugin(Plugin):
    """Built-in, and a peer of third-party plugins: it uses only the ``zerenzhi`` face."""

    manifest = Manifest(
        name=NAME, version="1.0", title=Label("Webhook 推送", "Webhook notifier"),
        settings=WebhookSettings, migrations="zerenzhi.plugins.webhook.migrations:versions",
    )
    blueprints = (blp,)
    pages = PAGES  # the console's page: the target, a test message, the delivery log
    permissions = PERMISSIONS
    jobs = (Job("webhook.deliver", deliver_job, every=dt.timedelta(minutes=1),
                description="Send queued webhook and robot messages; failures retry with "
                            "backoff."),)

    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        cli.add_command(webhook_group)

    @hookimpl
    def on_event(self, session: Session, tenant: TenantRef, event: Event) -> None:
        """Queue the event in the same transaction; ``webhook deliver`` sends it."""
        services.record(session, tenant, event, plugin_settings(NAME))
