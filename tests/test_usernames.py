"""Usernames differing only by case are one account (issue 17, defect 11): they are
normalised (NFKC, then case-folded) on creation and on login, and migration 0009
normalises stored ones, refusing when two would collide."""

from __future__ import annotations

import importlib
import uuid

import pytest
import sqlalchemy as sa

from zerenzhi.testing import ApiClient

TOKENS = "/api/v1/auth/tokens"
PASSWORD = "a long enough secret"


def create(township, username: str):
    return township.client("all").post(f"{township.base}/users", json={
        "username": username, "display_name": "Secretary", "password": PASSWORD,
        "positions": [{"role": "secretary"}]})


def test_a_name_differing_only_by_case_logs_in_as_the_same_account(township):
    username = f"longzhua.secretary-{township.slug}".lower()
    created = create(township, username).assert_status(201).json
    mixed = username.replace("longzhua.secretary", "Longzhua.Secretary")
    token = ApiClient(township.app).post(TOKENS, json={
        "username": mixed, "password": PASSWORD}).assert_status(201).json["access_token"]
    me = ApiClient(township.app, token).get("/api/v1/me").assert_status(200).json
    assert me["id"] == created["id"]
    assert me["username"] == username


def test_creating_the_same_name_in_capitals_is_refused(township):
    username = f"longzhua.secretary-{township.slug}".lower()
    create(township, username).assert_status(201)
    refused = create(township, username.upper()).assert_status(409).json
    assert "username" in refused["errors"]["json"]


def test_a_name_created_in_capitals_is_stored_case_folded(township):
    username = f"Wang.Clerk-{township.slug}"
    created = create(township, username).assert_status(201).json
    assert created["username"] == username.casefold()


def _migration():
    return importlib.import_module("zerenzhi.migrations.versions.0009_username_case")


def _run_upgrade(names: list[str]) -> list[str]:
    """Migration 0009's upgrade on a scratch SQLite table holding ``names``."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    engine = sa.create_engine("sqlite://")
    table = sa.Table("user_account", sa.MetaData(), sa.Column("id", sa.Uuid(), primary_key=True),
                     sa.Column("username", sa.String(150), unique=True))
    with engine.begin() as connection:
        table.create(connection)
        connection.execute(table.insert(), [{"id": uuid.uuid4(), "username": n} for n in names])
        with Operations.context(MigrationContext.configure(connection)):
            _migration().upgrade()
        return sorted(connection.scalars(sa.select(table.c.username)))


def test_migration_normalises_stored_usernames():
    assert _run_upgrade(["Li.Ming", "wang"]) == ["li.ming", "wang"]


def test_migration_refuses_names_that_would_collide():
    with pytest.raises(RuntimeError, match="differ only by case"):
        _run_upgrade(["Li.Ming", "li.ming"])


def test_an_operator_created_in_capitals_logs_in_and_gets_a_new_password(app):
    """The ``users`` commands fold names as the API does: ``Ops.Admin`` is ``ops.admin``."""
    name = f"Ops.Admin-{uuid.uuid4().hex[:8]}"
    runner = app.test_cli_runner()
    created = runner.invoke(args=["users", "create", name, "--platform-admin",
                                  "--password-stdin"], input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    ApiClient(app).post(TOKENS, json={"username": name.upper(), "password": PASSWORD}) \
        .assert_status(201)
    reset = runner.invoke(args=["users", "set-password", name, "--password-stdin"],
                          input="another long secret\n")
    assert reset.exit_code == 0, reset.output
    ApiClient(app).post(TOKENS, json={"username": name.casefold(),
                                      "password": "another long secret"}).assert_status(201)


def test_a_tenant_file_with_a_name_in_capitals_applies_twice(app, tmp_path):
    """``tenants apply`` finds the folded account again instead of creating it twice."""
    from tests.test_cli import PASSWORD as FILE_PASSWORD
    from tests.test_cli import _names, _township, _tree

    county, town = _names("u")
    users = f"""
[[users]]
username = "{town}.Secretary"
display_name = "王書記"
demo_password = "{FILE_PASSWORD}"
positions = [{{ role = "secretary", unit = "committee" }}]
"""
    root = _tree(tmp_path, county, {town: _township(town, users=users)})
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["tenants", "apply", str(root)])
        assert result.exit_code == 0, result.output
    ApiClient(app).post(TOKENS, json={"username": f"{town}.secretary",
                                      "password": FILE_PASSWORD}).assert_status(201)
