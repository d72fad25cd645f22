"""``Plugin``: the base a plugin object may inherit, so that what it contributes at boot is
declared as data instead of four hook methods that each return a constant.

Every built-in plugin had the same ``register_blueprints`` / ``register_permissions`` /
``register_rules`` / ``register_rollup_metrics`` methods (35 of the duplicate pairs among
them); a subclass now names its blueprints, permissions, rules, metrics and reference types,
and implements only the hooks where it does something. It stays an ordinary pluggy plugin:
any hook may still be written as a method, which then replaces the base's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from zerenzhi.plugin_host.hookspecs import hookimpl

if TYPE_CHECKING:
    from flask_smorest import Blueprint
    from sqlalchemy.orm import Session

    from zerenzhi.auth.permissions import Permission
    from zerenzhi.jobs.spec import Job
    from zerenzhi.obligations.rules import RuleDef
    from zerenzhi.plugin_host.manifest import Manifest
    from zerenzhi.plugin_host.pages import Pages
    from zerenzhi.rollups.metrics import RollupMetric
    from zerenzhi.tenancy.context import TenantRef


class Plugin:
    """A plugin declared as data: ``manifest`` (required), and what it adds at boot.

    ``blueprints``, ``permissions``, ``rules``, ``metrics`` and ``jobs`` are returned by the
    boot hooks of the same names; ``references`` maps each reference type the plugin owns
    (``"<plugin>.<thing>"``) to ``describe(session, ref_id) -> dict | None``, answered by
    ``describe_reference``. ``pages`` is the plugin's web console pages (``zerenzhi.Pages``).
    ``attachable`` maps those of its reference types that accept
    files (sign-in sheets, photos, minutes) to the permission that reads them: core's
    attachment routes serve a record's files only to holders of it, and check that the
    record exists through ``describe_reference``. Other hooks are methods marked
    ``@hookimpl`` as usual::

        class TrainingPlugin(Plugin):
            manifest = Manifest(name="training", ...)
            blueprints = (blp,)
            permissions = PERMISSIONS
            rules = (TRAINING_HOURS,)
            jobs = (Job("training.remind", services.remind, cron="0 1 * * *"),)
            references = {"training.record": services.describe}
            attachable = {"training.record": "training.record.read"}
    """

    manifest: ClassVar[Manifest]
    blueprints: ClassVar[Sequence[Blueprint]] = ()
    permissions: ClassVar[Sequence[Permission]] = ()
    rules: ClassVar[Sequence[RuleDef]] = ()
    metrics: ClassVar[Sequence[RollupMetric]] = ()
    jobs: ClassVar[Sequence[Job]] = ()
    references: ClassVar[Mapping[str, Callable[[Session, str], dict[str, Any] | None]]] = {}
    attachable: ClassVar[Mapping[str, str]] = {}  # ref type -> the permission reading it
    pages: ClassVar[Pages | None] = None  # its web console pages (register_pages)

    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
        return list(self.blueprints)

    @hookimpl
    def register_permissions(self) -> list[Permission]:
        return list(self.permissions)

    @hookimpl
    def register_rules(self) -> list[RuleDef]:
        return list(self.rules)

    @hookimpl
    def register_rollup_metrics(self) -> list[RollupMetric]:
        return list(self.metrics)

    @hookimpl
    def register_jobs(self) -> list[Job]:
        return list(self.jobs)

    @hookimpl
    def register_pages(self) -> Pages | None:
        return self.pages

    @hookimpl
    def describe_reference(self, session: Session, tenant: TenantRef, ref_type: str,
                           ref_id: str) -> dict[str, Any] | None:
        describe = self.references.get(ref_type)
        return describe(session, ref_id) if describe is not None else None
