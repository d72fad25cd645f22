"""The migration check: a lineage builds its schema from nothing, takes it down with data
in the database, builds it again, and always matches the models."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

from zerenzhi.testing.demo import fill_demo, implements
from zerenzhi.testing.owners import Owner, owner_of
from zerenzhi.testing.world import World, build_world


def check_migrations(plugin: Any, app, empty_database: tuple[str, str, str | None], *,
                     seed: Callable[[World], None] | None = None) -> None:
    """Prove that the owner's alembic lineage builds, tears down and rebuilds its schema,
    in step with its models, on the backend under test.

    On ``empty_database`` (the fixture): core's lineage, those of the plugins it requires,
    then its own upgrade from nothing; its tables exist and its version table holds one
    head. There is no drift between its models and the migrated schema — no table, column,
    index, constraint, nullability or type of its own missing or extra — and types are
    compared strictly: a model's ``Float`` against a migration's ``sa.Double()`` fails
    although PostgreSQL stores both as float8 (the lineage is replayed on SQLite, which
    keeps the declared type, when the backend is PostgreSQL). Then, with a township's
    records present (core's, and the plugin's own from ``seed(world)`` or else its
    ``demo_data`` hook), the lineage downgrades to base, leaving none of its tables and an
    empty version table (core's: no table at all), upgrades again without drift, and the
    app works on the rebuilt schema (a new township, seeded again).
    """
    from zerenzhi import migrate

    owner = owner_of(plugin, app)
    owner_url, _app_url, role = empty_database
    plugins = app.extensions["zerenzhi"].plugins
    chain = owner.lineages(app)
    lineage = chain[-1]
    if lineage != owner.name:
        tables = [t.name for t in owner.model_tables()]
        assert not tables, f"{owner.name} has tables {tables} but no manifest.migrations"
        return
    for name in chain:
        migrate.upgrade(owner_url, plugins, role, only=name)
    problems = _in_step(owner, owner_url, plugins, "upgraded from empty")
    problems += _strict_types(owner, chain, owner_url, plugins)
    scratch = _scratch_app(app, empty_database)
    try:
        _seed(scratch, owner, build_world(scratch, "mig"), seed)
        migrate.downgrade(owner_url, plugins, lineage, "base")
        left = _tables(owner_url)
        kept = sorted(name for name in left if not name.startswith("alembic_version")
                      and (owner.is_core or owner.owns_table(name)))
        if kept:
            problems.append(f"downgraded to base, these tables remain: {kept}")
        if _versions(owner_url, owner) != []:
            problems.append(f"downgraded to base, {_version_table(owner)} still holds a head")
        for name in chain:
            migrate.upgrade(owner_url, plugins, role, only=name)
        problems += _in_step(owner, owner_url, plugins, "downgraded with data and upgraded")
        world = build_world(scratch, "mig")
        _seed(scratch, owner, world, seed)
        me = world.client("secretary").get("/api/v1/me")
        if me.status_code != 200:
            problems.append(f"on the rebuilt schema GET /api/v1/me answers {me.status_code}")
    finally:
        scratch.extensions["zerenzhi"].db.dispose()
    assert not problems, "\n".join(problems)


def _version_table(owner: Owner) -> str:
    return "alembic_version" if owner.is_core else f"alembic_version_{owner.name}"


def _versions(url: str, owner: Owner) -> list[str]:
    from zerenzhi.db.session import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(
                text(f"SELECT version_num FROM {_version_table(owner)}")).scalars())
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    from zerenzhi.db.session import make_engine

    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _in_step(owner: Owner, url: str, plugins, when: str) -> list[str]:
    """The owner's tables exist, its version table holds one head, and nothing drifts."""
    from zerenzhi import migrate

    problems = []
    missing = sorted({t.name for t in owner.model_tables()} - _tables(url))
    if missing:
        problems.append(f"{when}: tables missing {missing}")
    heads = _versions(url, owner)
    if len(heads) != 1:
        problems.append(f"{when}: {_version_table(owner)} holds {heads}, not one head")
    drift = migrate.drift(url, plugins, only=owner.name)[owner.name]
    problems += [f"{when}: models and migrations differ: {diff}" for diff in drift]
    return problems


def _strict_types(owner: Owner, chain: list[str], url: str, plugins) -> list[str]:
    """On a backend that forgets declared types, replay the lineages on SQLite, which keeps
    them, and compare there (``zerenzhi.migrate.strict_compare_type``)."""
    from zerenzhi import migrate

    if url.startswith("sqlite"):
        return []  # drift() compared strictly already
    folder = Path(tempfile.mkdtemp(prefix="zz-types-"))
    replay = f"sqlite:///{folder / 'replay.db'}"
    try:
        for name in chain:
            migrate.upgrade(replay, plugins, None, only=name)
        drift = migrate.drift(replay, plugins, only=owner.name)[owner.name]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [f"types declared by the migrations differ from the models: {diff}"
            for diff in drift]


def _scratch_app(app, empty_database: tuple[str, str, str | None]):
    """An app like ``app`` (same plugins) on the empty database."""
    from zerenzhi.app import create_app

    owner_url, app_url, role = empty_database
    installed = app.extensions["zerenzhi"].plugins.installed.values()
    return create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                       "DB_APP_ROLE": role, "TESTING": True},
                      plugins=[p.plugin for p in installed], load_entrypoints=False)


def _seed(app, owner: Owner, world: World, seed: Callable[[World], None] | None) -> None:
    """Records of the owner in the township: ``seed``'s, else its demo's, else core's own."""
    if owner.is_core:
        world.directive_id()  # a county directive, its targets and inbox, beside the org tree
        return
    for name in owner.chain(app):
        world.enable(name)
    if seed is not None:
        seed(world)
    elif implements(app, owner, "demo_data"):
        fill_demo(owner, world)
