"""docs/operations.md lists every setting ``core/config.py`` reads from the environment,
so the operator's table cannot fall behind the code."""

from __future__ import annotations

from pathlib import Path

from zerenzhi.config import ENV_KEYS

GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "operations.md").read_text("utf-8")


def test_every_environment_setting_is_in_the_operations_guide():
    missing = [env for env in ENV_KEYS.values() if f"| `{env}` |" not in GUIDE]
    assert not missing, f"add these to the settings table of docs/operations.md: {missing}"
