"""The distribution installs one import name: ``zerenzhi`` (the face, with its built-in
plugins under ``zerenzhi.plugins`` and core's migrations under ``zerenzhi.migrations``), and
no generic top-level packages such as ``core``, ``plugins`` or ``migrations`` that other
distributions also ship."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("core", "plugins", "migrations", "pyproject.toml", "setup.py", "README.md")


def _site_packages(prefix: Path) -> Path:
    return next(prefix.glob("lib/python3*/site-packages"))


def test_the_wheel_installs_only_the_name_zerenzhi(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, source / name, **(
            {"ignore": shutil.ignore_patterns("__pycache__")} if copy is shutil.copytree else {}))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path / "dist",
                    source], check=True)
    wheel = next((tmp_path / "dist").glob("zerenzhi-*.whl"))

    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    before = set(p.name for p in _site_packages(target).iterdir())
    subprocess.run([*pip, "--python", target / "bin" / "python", "install", "--no-deps",
                    "--no-index", wheel], check=True)
    site = _site_packages(target)
    added = {p.name for p in site.iterdir()} - before
    assert {name for name in added if not name.endswith(".dist-info")} == {"zerenzhi"}

    installed = site / "zerenzhi"
    assert (installed / "__init__.py").read_text(encoding="utf-8") == (
        REPO / "core" / "__init__.py").read_text(encoding="utf-8")
    assert (installed / "plugins" / "study" / "migrations").is_dir()
    assert (installed / "migrations" / "env.py").is_file()
    assert (installed / "migrations" / "script.py.mako").is_file()
    assert (installed / "migrations" / "versions" / "0001_core_tables.py").is_file()

    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(archive.read(n).decode() for n in archive.namelist()
                            if n.endswith(".dist-info/entry_points.txt"))
    assert "study = zerenzhi.plugins.study:plugin" in entry_points
    assert "zerenzhi = zerenzhi.cli:main" in entry_points
    assert "core." not in entry_points and " plugins." not in entry_points


def test_the_repository_imports_its_folders_only_by_the_installed_name():
    """``import core`` would load a second copy of every module beside ``zerenzhi``'s (two
    registries, two metadata objects): the folders are imported only under ``zerenzhi``."""
    import ast

    stray = []
    for folder in ("core", "plugins", "migrations", "tests", "bench", "examples"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module or ""]
                else:
                    continue
                stray += [f"{path.relative_to(REPO)}: {name}" for name in names
                          if name.split(".")[0] in {"core", "plugins", "migrations"}]
    assert not stray, stray
