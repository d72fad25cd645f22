"""``zerenzhi plugins new NAME`` writes a distribution that passes its own tests unchanged,
installs, and is served: generated into a temporary folder, built and installed into its own
site directory (never into this environment), then tested and served in subprocesses that
see it only through ``PYTHONPATH``, as a user who pip-installed it would.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from zerenzhi.commands.plugins import plugins_group
from zerenzhi.scaffold import MAX_NAME, MAX_TITLE

NAME = "training"
PACKAGE = f"zerenzhi_{NAME}"
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]


@dataclass(frozen=True)
class Scaffold:
    root: Path  # the generated distribution, zerenzhi-training/
    site: Path  # where it is installed
    seconds: float  # generating, building and installing it

    def run(self, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
        """Python in a subprocess that finds the plugin only in ``site`` (``-P``: not in the
        working directory either), on SQLite only, with no database settings of ours."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZERENZHI_")}
        env.update(PYTHONPATH=str(self.site), ZERENZHI_TEST_SKIP_PG="1")
        return subprocess.run([sys.executable, "-P", *map(str, args)], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=600)


def _new(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(plugins_group, ["new", *map(str, args)])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory) -> Scaffold:
    """``plugins new training`` (title typed in Simplified Chinese), built and installed."""
    tmp = tmp_path_factory.mktemp("scaffold")
    started = time.monotonic()
    code, output = _new(NAME, "--dir", tmp, "--title-zh", "培训")
    assert code == 0, output
    root = tmp / f"zerenzhi-{NAME}"
    site = tmp / "site"
    subprocess.run([*PIP, "install", "--no-deps", "--no-build-isolation", "--target", site,
                    root], check=True)
    return Scaffold(root, site, time.monotonic() - started)


def test_writes_the_distribution_with_traditional_labels(scaffold):
    files = {p.relative_to(scaffold.root).as_posix() for p in scaffold.root.rglob("*")
             if p.is_file() and "build" not in p.parts and ".egg-info" not in str(p)}
    assert {"pyproject.toml", "README.md", f"{PACKAGE}/__init__.py", f"{PACKAGE}/plugin.py",
            f"{PACKAGE}/settings.py", f"{PACKAGE}/models.py", f"{PACKAGE}/rules.py",
            f"{PACKAGE}/services.py", f"{PACKAGE}/schemas.py", f"{PACKAGE}/routes.py",
            f"{PACKAGE}/metrics.py", f"{PACKAGE}/permissions.py", f"{PACKAGE}/demo.py",
            f"{PACKAGE}/migrations/__init__.py",
            f"{PACKAGE}/migrations/{NAME}_0001_{NAME}_record.py",
            "tests/test_conformance.py", f"tests/test_{NAME}_records.py"} <= files
    pyproject = (scaffold.root / "pyproject.toml").read_text(encoding="utf-8")
    assert f'name = "zerenzhi-{NAME}"' in pyproject
    assert f'{NAME} = "{PACKAGE}:plugin"' in pyproject
    plugin = (scaffold.root / PACKAGE / "plugin.py").read_text(encoding="utf-8")
    assert 'Label("培訓",\n' in plugin  # stored in Traditional, as labels are
    assert "培训" not in "".join(p.read_text(encoding="utf-8") for p in
                               (scaffold.root / PACKAGE).rglob("*.py"))


def _lint(root: Path) -> None:
    """The generated project's own ruff settings (the house's: 100 columns) pass."""
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."],
                          cwd=root, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_generated_code_is_clean_and_reaches_zerenzhi_only_through_its_face(scaffold):
    _lint(scaffold.root)
    deep = []
    for path in sorted((scaffold.root / PACKAGE).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                node.module or ""] if isinstance(node, ast.ImportFrom) else []
            deep += [f"{path.name}: {n}" for n in names
                     if n.startswith(("zerenzhi.", "core", "plugins"))]
    assert not deep, deep


def test_passes_its_own_tests_unchanged(scaffold, capsys):
    started = time.monotonic()
    result = scaffold.run("-m", "pytest", cwd=scaffold.root)  # its own pytest settings
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.match(r"6 passed(, \d+ skipped)? in ", summary), result.stdout[-4000:]
    with capsys.disabled():
        print(f"\nscaffold-to-green time: {scaffold.seconds + time.monotonic() - started:.1f} s "
              f"(generate and install {scaffold.seconds:.1f} s; "
              f"{summary})")


SERVE = textwrap.dedent(f"""
    import sys
    from pathlib import Path

    import {PACKAGE}
    from zerenzhi.app import create_app
    from zerenzhi.testing import build_world

    site, database = Path(sys.argv[1]).resolve(), sys.argv[2]
    assert Path({PACKAGE}.__file__).resolve().is_relative_to(site), {PACKAGE}.__file__
    app = create_app({{"DATABASE_URL": f"sqlite:///{{database}}"}})  # entry points loaded
    cli = app.test_cli_runner()
    for args in (["db", "upgrade"], *(["plugins", "list", "--language", language]
                                      for language in ("zh-Hans", "zh-Hant", "en"))):
        result = cli.invoke(args=args)
        assert result.exit_code == 0, result.output
        print(result.output, end="")
    town = build_world(app)
    records = f"{{town.base}}/{NAME}/records"
    print("before enabling:", town.client("office").get(records).status_code)
    town.client("tenant_admin").put(f"{{town.base}}/plugins/{NAME}",
                                    json={{"settings": {{}}}}).assert_status(200)
    print("enabled:", town.client("office").get(records).status_code)
""")


def test_installs_and_is_served(scaffold, tmp_path):
    (tmp_path / "serve.py").write_text(SERVE, encoding="utf-8")
    result = scaffold.run("serve.py", scaffold.site, tmp_path / "served.db", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    lines = result.stdout.splitlines()
    assert f"{NAME}: at heads" in lines
    listed = f"{NAME} 0.1.0 (zerenzhi-{NAME}==0.1.0)"
    for title in ("培训", "培訓", "Training"):  # zh-Hans, zh-Hant, en
        assert f"{listed} {title}" in lines, result.stdout
    assert "before enabling: 404" in lines and "enabled: 200" in lines


@pytest.mark.parametrize("name", ["Training", "1st", "in-service", "x", "a" * 27, "tr aining"])
def test_refuses_a_bad_name(tmp_path, name):
    code, output = _new(name, "--dir", tmp_path)
    assert code == 2 and "lower-case letters, digits and '_'" in output, output
    assert not any(tmp_path.iterdir())


def test_the_longest_name_and_titles_still_make_clean_code(tmp_path):
    name = "a_long_name_" + "x" * (MAX_NAME - len("a_long_name_"))
    code, output = _new(name, "--dir", tmp_path, "--title-zh", "長" * MAX_TITLE["title_zh"],
                        "--title-en", "W" * MAX_TITLE["title_en"])
    assert code == 0, output
    _lint(tmp_path / f"zerenzhi-{name.replace('_', '-')}")


@pytest.mark.parametrize("option, title", [("--title-zh", "長" * 17), ("--title-en", "W" * 41),
                                           ("--title-en", 'say "hi"'), ("--title-zh", "培\n訓")])
def test_refuses_a_title_that_would_not_fit(tmp_path, option, title):
    code, output = _new(NAME, "--dir", tmp_path, option, title)
    assert code == 2 and "printable characters on one line" in output, output
    assert not any(tmp_path.iterdir())


def test_refuses_the_name_of_an_installed_plugin(tmp_path):
    code, output = _new("study", "--dir", tmp_path)
    assert code == 2 and "'study' is already installed" in output, output
    assert not any(tmp_path.iterdir())


def test_refuses_a_target_with_anything_in_it(tmp_path):
    target = tmp_path / f"zerenzhi-{NAME}"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    code, output = _new(NAME, "--dir", tmp_path)
    assert code == 2 and "already exists and is not empty" in output, output
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_writes_into_an_empty_target_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"zerenzhi-{NAME}").mkdir()
    code, output = _new(NAME)
    assert code == 0, output
    assert (tmp_path / f"zerenzhi-{NAME}" / PACKAGE / "plugin.py").is_file()
