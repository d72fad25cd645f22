"""Operators' errors (issue 13, item 8): every command that touches the database, run
against one that was never migrated, says so in one line naming `zerenzhi db upgrade`
(exit 1, no traceback); a database URL the app cannot use is one line too; and a command
that failed leaves nothing on disk (no empty SQLite file, no instance/ folder).

The commands are found by walking the app's click group, so a new command (a plugin's
too) is checked as soon as it is registered; ``ARGS`` gives those that need arguments
the ones that get them to the database."""

from __future__ import annotations

import uuid
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from zerenzhi.app import create_app
from zerenzhi.cli import main

UPGRADE = "zerenzhi db upgrade"
COUNTY_FILE = 'slug = "c-errors"\nkind = "county"\nname = "測試縣"\n'

# commands that never touch the database, or set it up (they work on an empty one)
NO_DATABASE = {"db upgrade", "db downgrade", "db revision", "plugins new", "serve",
               "openapi list-config-prefixes", "openapi print", "openapi write"}
ARGS = {
    "analysis county-date": ["--county", "c-none", "--on", "2026-12-04", "--title", "x"],
    "analysis inherit": ["--county", "c-none"],
    "tenants apply": ["{tenants}"],
    "tenants dump": ["w-none", "-o", "{tmp}/out.zip"],
    "tenants export": ["{tmp}/export"],
    "tenants load": ["{archive}"],
    "users create": ["someone", "--township", "w-none", "--role", "secretary",
                     "--password-stdin"],
    "users list": ["--township", "w-none"],
    "users set-password": ["someone", "--password-stdin"],
    "worker": ["--once"],
}


def _leaves(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            names += _leaves(command, path + " ")
        else:
            names.append(path)
    return names


def _registered() -> list[str]:
    """Every operator command the app registers (core's and the installed plugins'), built
    on a URL that is never connected to."""
    app = create_app({"DATABASE_URL": "sqlite:////nonexistent/never-opened.db"})
    return [name for name in _leaves(app.cli) if name not in NO_DATABASE]


COMMANDS = _registered()


@pytest.fixture(autouse=True)
def _no_database_settings(monkeypatch):
    """Only what a test passes: ``serve`` (test_cli.py) leaves its URLs in the environment."""
    for name in ("DATABASE_URL", "MIGRATION_DATABASE_URL", "DB_APP_ROLE"):
        monkeypatch.delenv(f"ZERENZHI_{name}", raising=False)


def _invoke(tmp_path: Path, env: dict[str, str], command: str):
    (tmp_path / "tenants" / "c-errors").mkdir(parents=True, exist_ok=True)
    (tmp_path / "tenants" / "c-errors" / "_county.toml").write_text(COUNTY_FILE,
                                                                    encoding="utf-8")
    archive = tmp_path / "w-none.zip"
    archive.write_bytes(b"")
    values = {"tmp": str(tmp_path), "tenants": str(tmp_path / "tenants"),
              "archive": str(archive)}
    args = [arg.format(**values) for arg in ARGS.get(command, [])]
    return CliRunner(env=env).invoke(main, [*command.split(), *args],
                                     input="a-long-enough-password\n")


def _assert_one_line(result, *needles: str) -> str:
    assert result.exit_code not in (0, None), result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_every_database_command_is_found():
    assert {"users list", "tenants apply", "audit verify", "plugins list",
            "obligations recount"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_database_never_migrated_is_one_line_naming_db_upgrade(
        command, empty_database, tmp_path, monkeypatch):
    """On an empty SQLite file and an empty PostgreSQL database alike."""
    owner_url, app_url, role = empty_database
    if app_url.startswith("sqlite"):
        Path(app_url.removeprefix("sqlite:///")).touch()
    monkeypatch.chdir(tmp_path)
    env = {"ZERENZHI_DATABASE_URL": app_url, "ZERENZHI_MIGRATION_DATABASE_URL": owner_url,
           "ZERENZHI_DB_APP_ROLE": role or ""}
    line = _assert_one_line(_invoke(tmp_path, env, command), UPGRADE, "not migrated")
    assert "postgresql" not in line  # no URL, so no password, in the message


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_sqlite_file_is_not_created(command, tmp_path, monkeypatch):
    """The default URL in an empty working directory: no instance/ folder, no file."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    _assert_one_line(_invoke(tmp_path, {}, command), UPGRADE)
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("url, needle", [
    ("mysql://someone@localhost/zerenzhi", "unsupported database URL scheme 'mysql://'"),
    ("postgres+foo://someone@localhost/zerenzhi", "unsupported database URL scheme"),
    ("not a url", "not a database URL"),
    ("sqlite:///{tmp}/missing/folder/zerenzhi.db", "no folder"),
])
def test_a_url_the_app_cannot_use_is_one_line(url, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    for command in (["users", "list", "--township", "w-none"], ["db", "upgrade"]):
        result = CliRunner(env={"ZERENZHI_DATABASE_URL": url.format(tmp=tmp_path)}).invoke(
            main, command)
        _assert_one_line(result, needle)
    assert sorted(tmp_path.rglob("*")) == before


def test_db_upgrade_makes_the_default_database_then_commands_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    upgraded = runner.invoke(main, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert (tmp_path / "instance" / "zerenzhi.db").is_file()
    listed = runner.invoke(main, ["users", "list", "--township", f"w-{uuid.uuid4().hex[:6]}"])
    assert listed.exit_code == 2 and "no township" in listed.stderr  # the command's own error


def test_a_fault_that_is_not_the_schema_still_shows_its_traceback(app, monkeypatch):
    """Only a database that is not ready is turned into one line: a real bug is not hidden."""
    from sqlalchemy.exc import OperationalError

    from zerenzhi.cli import not_ready

    assert not_ready(app, OperationalError("SELECT 1", {}, Exception("boom"))) is None
