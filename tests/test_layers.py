"""The import contracts of pyproject.toml ``[tool.importlinter]`` hold, with no exception
listed: core's layers, built-in plugins independent of each other, plugins importing only
the face ``zerenzhi``.

lint-imports reads folders. The checkout keeps ``plugins/`` and ``migrations/`` beside
``core/`` (the editable install maps them under ``zerenzhi``), so each check lays the
package out as a wheel installs it, in a temporary folder of links, and runs there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = ("layers", "plugins-independent", "plugins-face-only")


def installed_layout(site: Path, *, core: dict[str, str] | None = None,
                     plugins: dict[str, str] | None = None) -> Path:
    """``site/zerenzhi`` as installed, linked to the checkout; ``core`` and ``plugins`` add
    or replace modules (name relative to ``zerenzhi`` or ``zerenzhi.plugins``: source)."""
    package = site / "zerenzhi"
    package.mkdir(parents=True)
    sources = {entry.name: entry for entry in (ROOT / "core").iterdir()}
    sources |= {"migrations": ROOT / "migrations", "plugins": ROOT / "plugins"}
    if plugins:
        sources["plugins"] = _linked_copy(site / "plugins", ROOT / "plugins", plugins)
    for name, source in sources.items():
        if name != "__pycache__" and name not in (core or {}):
            (package / name).symlink_to(source)
    for name, text in (core or {}).items():
        (package / name).write_text(text, encoding="utf-8")
    return site


def _linked_copy(folder: Path, source: Path, extra: dict[str, str]) -> Path:
    folder.mkdir()
    for entry in source.iterdir():
        (folder / entry.name).symlink_to(entry)
    for name, text in extra.items():
        (folder / name).mkdir()
        (folder / name / "__init__.py").write_text(text, encoding="utf-8")
    return folder


def lint_imports(site: Path) -> subprocess.CompletedProcess:
    """lint-imports with the repository's contracts, finding ``zerenzhi`` in ``site``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=site, env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True,
        text=True, timeout=300, check=False)


def test_the_import_contracts_hold(tmp_path):
    result = lint_imports(installed_layout(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def test_the_contracts_catch_what_they_forbid(tmp_path):
    """The check itself: a plugin reaching past the face or into another plugin, a layer
    importing upward and a module no layer names each break a contract."""
    labels = (ROOT / "core" / "labels.py").read_text(encoding="utf-8")
    site = installed_layout(tmp_path, plugins={
        "rogue": "from zerenzhi.db.session import session\nfrom zerenzhi.plugins import study\n",
    }, core={"labels.py": labels + "\nfrom zerenzhi import app\n", "stray.py": ""})
    result = lint_imports(site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"Contracts: 0 kept, {len(CONTRACTS)} broken." in result.stdout
    for expected in ("zerenzhi.plugins.rogue -> zerenzhi.db.session",
                     "zerenzhi.plugins.rogue -> zerenzhi.plugins.study",
                     "zerenzhi.labels is not allowed to import zerenzhi.app",
                     "zerenzhi.stray"):
        assert expected in result.stdout, result.stdout
