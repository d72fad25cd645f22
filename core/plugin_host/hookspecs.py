"""The plugin contract: every hook a zerenzhi plugin may implement.

Hooks are called by keyword; arguments may be added in later versions, never renamed
or removed, so an implementation may accept any subset of them (pluggy passes only
the ones it names). Boot hooks run once per app for every installed plugin; tenant
hooks run only for the plugin concerned; runtime hooks run only for the plugins the
tenant has enabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # types for readers and checkers only: the contract imports nothing at run time
    import click
    from flask import Flask
    from flask_smorest import Blueprint
    from sqlalchemy.orm import Session

    from zerenzhi.auth.permissions import Permission
    from zerenzhi.events import Event
    from zerenzhi.jobs.spec import Job
    from zerenzhi.obligations.rules import RuleDef
    from zerenzhi.plugin_host.pages import Pages
    from zerenzhi.rollups.metrics import RollupMetric
    from zerenzhi.tenancy.context import TenantRef

hookspec = pluggy.HookspecMarker("zerenzhi")
hookimpl = pluggy.HookimplMarker("zerenzhi")


# --- boot: once per app, for every installed plugin, results collected -------------------


@hookspec
def register_blueprints() -> list[Blueprint]:
    """Return the plugin's ``zerenzhi.Blueprint`` objects (flask-smorest blueprints).

    When: once in ``create_app``. Scope: app. Collected. Each blueprint is mounted under
    ``/api/v1/townships/<township>/<plugin name>`` (its ``url_prefix`` is ignored). Every
    view must be guarded with ``zerenzhi.requires(permission)`` (a test fails on any route
    without one); requests for a township that has not enabled the plugin answer 404 before
    the view runs, and the isolation and permission matrices cover every route found here.
    """


@hookspec
def register_permissions() -> list[Permission]:
    """Return ``zerenzhi.Permission`` objects: the named rights this plugin's routes need.

    When: once in ``create_app``. Scope: app. Collected. Names are
    ``"<plugin>.<thing>.<verb>"``; each lists the roles that hold it by default (use the
    face's role groups, e.g. ``TOWNSHIP_READERS``). A name registered twice or a grant to an
    unknown role stops the app.
    """


@hookspec
def register_rules() -> list[RuleDef]:
    """Return the obligation rules (``zerenzhi.RuleDef``) this plugin contributes.

    When: once in ``create_app``. Scope: app. Collected. Keys are ``"<plugin>.<name>"`` (a
    key with another plugin's prefix is refused) and unique across plugins; each rule names
    its source clause (e.g. ``"W3"``). Townships and counties override numbers through
    settings, never definitions.
    """


@hookspec
def register_rollup_metrics() -> list[RollupMetric]:
    """Return ``zerenzhi.RollupMetric`` objects the county roll-up may ask this plugin for.

    When: once in ``create_app``. Scope: app. Collected. Keys are ``"<plugin>.<name>"``; a
    metric's ``compute(session, period)`` runs inside one township's scope, only for
    townships that enabled the plugin, and returns a count, rate or score (or None) — never
    record contents. Its set-based form ``compute_for_townships(session, period, townships)``
    (over the plugin's ``CountyReadable`` tables), when given, runs instead: once for the
    whole county, inside its read scope, answering per township id.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands or groups, named after the plugin, to the ``zerenzhi`` group ``cli``.

    When: once in ``create_app``. Scope: app (a command enters tenants itself with
    ``tenant_scope``). Return value ignored.
    """


@hookspec
def register_jobs() -> list[Job]:
    """Return the periodic jobs (``zerenzhi.Job``) this plugin contributes.

    When: once in ``create_app``. Scope: app. Collected. Names are ``"<plugin>.<what>"``
    and unique. ``zerenzhi worker`` (started by ``zerenzhi serve``) runs each job on its
    schedule (``every=`` or a UTC ``cron=`` line) as ``run(session, tenant, now)`` once per
    live township that enabled this plugin, each in its own transaction and that tenant's
    scope: commit nothing; raise to fail (rolled back, logged with the township, retried on
    the next tick). On PostgreSQL a (job, township) runs on one host at a time.
    """


@hookspec
def register_pages() -> Pages | None:
    """Return the plugin's web console pages (``zerenzhi.Pages``), or None for none.

    Scope: app, once at boot. The blueprint is a plain ``flask.Blueprint`` whose templates
    extend ``console/base.html``; core mounts it at ``/townships/<township>/<plugin>``. Its
    pages get the console's login session, CSRF check and error pages, answer 404 in a
    township that has not enabled the module, and each view still declares its permission
    with ``zerenzhi.requires``. A nav entry shows only where the module is enabled and the
    user holds the entry's permission.
    """


@hookspec
def startup(app: Flask) -> None:
    """Run once at the end of ``create_app`` with the finished Flask ``app``.

    Scope: app. For warm-up and checks; do not wire routes here (Flask forbids it once
    serving). Return value ignored.
    """


# --- tenant lifecycle: only the plugin concerned ------------------------------------------


@hookspec
def on_enable(session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
    """The township ``tenant`` has just enabled this plugin with its effective ``settings``.

    When: inside the enabling transaction (``session``) and the tenant's scope, for this
    plugin only. Raise ``DomainError`` to refuse (nothing is enabled then). Do not commit.
    Return value ignored.
    """


@hookspec
def on_disable(session: Session, tenant: TenantRef) -> None:
    """The township has just disabled this plugin. Its data is kept: never delete it.

    When: inside the disabling transaction and the tenant's scope, for this plugin only.
    Do not commit. Return value ignored.
    """


@hookspec
def on_settings_changed(session: Session, tenant: TenantRef, old: dict[str, Any],
                        new: dict[str, Any]) -> None:
    """The township's effective settings for this plugin changed from ``old`` to ``new``.

    When: inside the transaction that changed them (a township's or its county's settings
    write, or ``tenants apply``) and the tenant's scope, while the plugin is enabled.
    Duties: if a setting decides which records count as evidence (a kind that counts, a
    minimum length), re-say the evidence of every live record with ``sync_evidence`` so the
    ledger and the stored counts follow at once; numbers of rules (``min_count``) need
    nothing — core applies them from the current period on. Raise ``DomainError`` to refuse
    a combination the schema cannot express (the change is rolled back). Do not commit.
    Return value ignored.
    """


@hookspec
def dump_files(session: Session, tenant: TenantRef) -> dict[str, bytes]:
    """Return the files this plugin keeps for ``tenant`` outside the database, by name.

    When: ``zerenzhi tenants dump``, inside the township's scope, for every installed plugin.
    Rows need nothing: core dumps every row of every table with a ``tenant_id`` column.
    Names are relative paths (``"sessions/<id>.pdf"``); the archive keeps them under the
    plugin's name. Return ``{}`` (or do not implement the hook) when there are none.
    """


@hookspec
def load_files(session: Session, tenant: TenantRef, files: dict[str, bytes],
               ids: dict[str, str]) -> None:
    """Put back the ``files`` this plugin's ``dump_files`` returned, for the loaded ``tenant``.

    When: ``zerenzhi tenants load``, inside the loading transaction and the township's scope,
    after every row is in, only when the archive holds files of this plugin (a load refuses
    an archive with files for a plugin without this hook). ``ids`` maps each old id (text)
    to its new one under ``--remap-ids`` (empty when ids are kept): rename what a file name
    or content carries. Raise to refuse (nothing is loaded). Return value ignored.
    """


# --- runtime: only the plugins the tenant enabled -----------------------------------------


@hookspec
def on_event(session: Session, tenant: TenantRef, event: Event) -> None:
    """A domain event (``zerenzhi.Event``: ``name``, ``tenant``, ``data``, ``at``) happened.

    When: inside the tenant's scope and the transaction that caused it, for each plugin the
    tenant enabled. Events are named ``"<source>.<what>"``: ``obligation.due_soon``,
    ``obligation.overdue``, ``study.session_recorded``… Return value ignored.
    """


@hookspec(firstresult=True)
def describe_reference(session: Session, tenant: TenantRef, ref_type: str,
                       ref_id: str) -> dict[str, Any] | None:
    """Describe this plugin's record ``ref_type``/``ref_id`` for a link from elsewhere.

    When: another module (or core) resolves a reference of type ``"<this plugin>.<thing>"``
    through ``zerenzhi.describe_reference``. Scope: that tenant, only if it enabled the
    plugin. Return ``{"type", "id", "title", "status"}`` (never record bodies), or None when
    the type is not yours or no such record exists here. First non-None result wins.
    """


@hookspec(firstresult=True)
def scan_attachment(name: str, content_type: str, data: bytes) -> str | None:
    """Scan an uploaded file before it is stored; return a reason to refuse it, or None.

    When: on every attachment upload (``POST .../attachments``), before the file reaches the
    storage backend. Scope: every *installed* plugin, whatever the township enabled (a
    scanner guards the whole instance). ``name`` is the cleaned file name, ``content_type``
    the accepted type, ``data`` the bytes. The first reason returned refuses the upload
    with a 422 naming it (``"file": "refused by the virus scan: <reason>"``); raising fails
    the upload (500), so a scanner that cannot reach its engine refuses rather than waves
    files through. Example: pass ``data`` to clamd's INSTREAM and return its verdict.
    """


@hookspec
def demo_data(session: Session, tenant: TenantRef, settings: dict[str, Any]) -> None:
    """Fill a demo township with realistic records of this plugin.

    When: ``zerenzhi tenants apply`` provisions a township whose file says ``demo = true``
    and that enabled this plugin; inside the tenant's scope, with its effective
    ``settings``; once (skipped when the plugin already has data there). Write through the
    plugin's own services, so the ledger is kept as for real records. Return value ignored.
    """

