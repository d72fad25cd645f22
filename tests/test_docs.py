"""docs/plugins.md keeps up with the contract: every hook with its exact signature, and every
name of the public face ``zerenzhi.__all__`` (DESIGN.md, Tests: "every hook is documented in
docs/plugins.md with its exact signature")."""

from __future__ import annotations

import ast
from pathlib import Path

import zerenzhi
from zerenzhi.plugin_host import hookspecs

GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "plugins.md").read_text(encoding="utf-8")


def _hook_signatures() -> dict[str, str]:
    """``def name(args) -> returns`` of every hookspec, as written in hookspecs.py."""
    tree = ast.parse(Path(hookspecs.__file__).read_text(encoding="utf-8"))
    return {
        node.name: f"def {node.name}({ast.unparse(node.args)}) -> {ast.unparse(node.returns)}"
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(
            "hookspec" in ast.unparse(decorator) for decorator in node.decorator_list)
    }


def test_every_hook_is_documented_with_its_exact_signature():
    signatures = _hook_signatures()
    assert signatures, "no hookspecs found"
    missing = [sig for sig in signatures.values() if sig not in GUIDE]
    assert not missing, f"docs/plugins.md lacks these hook signatures: {missing}"
    unheaded = [name for name in signatures if f"#### `{name}`" not in GUIDE]
    assert not unheaded, f"docs/plugins.md has no section for hooks: {unheaded}"


def test_every_public_core_name_is_documented():
    _head, found, api = GUIDE.partition("## 10. The public core API")
    assert found, "docs/plugins.md has no public core API section"
    missing = [name for name in zerenzhi.__all__ if f"- `{name}` — " not in api]
    assert not missing, f"docs/plugins.md lacks these core names: {missing}"
