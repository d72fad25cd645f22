"""Runs core's alembic lineage, then each installed plugin's, each with its own
version table (``alembic_version`` for core, ``alembic_version_<plugin>`` for plugins).

A removed third-party plugin leaves only its own version table behind, which no other
lineage reads, so later upgrades never stumble on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData

from zerenzhi.db.base import Base
from zerenzhi.db.rls import grant_app_role
from zerenzhi.db.session import make_engine

# resolved through the package, so an installed wheel finds it as an editable checkout does
MIGRATIONS_DIR = Path(str(resources.files("zerenzhi.migrations")))


@dataclass(frozen=True)
class Lineage:
    name: str
    versions: str
    version_table: str
    owns: Callable[[str], bool]
    metadata: MetaData = Base.metadata

    def include_name(self, name, type_, _parent_names) -> bool:
        """Reflected tables: only this lineage's own."""
        if type_ == "table":
            return self.owns(name)
        return True

    def include_object(self, obj, name, type_, _reflected, _compare_to) -> bool:
        """Model tables: only this lineage's own (the metadata is shared by all)."""
        if type_ == "table":
            return self.owns(name)
        table = getattr(obj, "table", None)
        return table is None or self.owns(table.name)


def core_tables() -> frozenset[str]:
    _import_core_models()
    return frozenset(
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if mapper.class_.__module__.startswith("zerenzhi.")
        and not mapper.class_.__module__.startswith("zerenzhi.plugins.")
    )


def _import_core_models() -> None:
    import zerenzhi.audit.models
    import zerenzhi.auth.models
    import zerenzhi.directives.models
    import zerenzhi.idempotency
    import zerenzhi.obligations.models
    import zerenzhi.orgunits.models
    import zerenzhi.plugin_host.models
    import zerenzhi.tenancy.models  # noqa: F401


def _plugin_versions(spec: str) -> str:
    package, _, folder = spec.partition(":")
    return str(resources.files(package).joinpath(folder or "migrations"))


def lineages(plugin_set) -> list[Lineage]:
    owned = core_tables()
    result = [Lineage("core", str(MIGRATIONS_DIR / "versions"), "alembic_version",
                      owned.__contains__)]
    for installed in plugin_set.ordered() if plugin_set else ():
        manifest = installed.manifest
        if not manifest.migrations:
            continue
        prefix = manifest.table_prefix
        result.append(Lineage(
            manifest.name, _plugin_versions(manifest.migrations),
            f"alembic_version_{manifest.name}", lambda name, p=prefix: name.startswith(p),
        ))
    return result


def alembic_config(lineage: Lineage, connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", lineage.versions)
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    config.attributes["lineage"] = lineage
    return config


def upgrade(url: str, plugin_set, app_role: str | None = None, target: str = "heads",
            only: str | None = None, echo: Callable[[str], None] = lambda _msg: None) -> None:
    engine = make_engine(url)
    try:
        _upgrade(engine, plugin_set, app_role, target, only, echo)
    finally:
        engine.dispose()


def _upgrade(engine: Engine, plugin_set, app_role, target, only, echo) -> None:
    for lineage in lineages(plugin_set):
        if only and lineage.name != only:
            continue
        with engine.connect() as connection:
            command.upgrade(alembic_config(lineage, connection), target)
            connection.commit()
        echo(f"{lineage.name}: at {target}")
    with engine.connect() as connection:
        grant_app_role(connection, app_role)
        connection.commit()


def downgrade(url: str, plugin_set, lineage_name: str, target: str) -> None:
    engine = make_engine(url)
    try:
        for lineage in lineages(plugin_set):
            if lineage.name == lineage_name:
                with engine.connect() as connection:
                    command.downgrade(alembic_config(lineage, connection), target)
                    connection.commit()
    finally:
        engine.dispose()


def drift(url: str, plugin_set) -> dict[str, list]:
    """Differences between models and the migrated schema, per lineage (empty = in step)."""
    engine = make_engine(url)
    result = {}
    try:
        with engine.connect() as connection:
            for lineage in lineages(plugin_set):
                context = MigrationContext.configure(connection, opts={
                    "include_name": lineage.include_name,
                    "include_object": lineage.include_object, "compare_type": True,
                })
                result[lineage.name] = compare_metadata(context, lineage.metadata)
    finally:
        engine.dispose()
    return result
