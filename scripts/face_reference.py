"""Write the reference sections of docs/plugins.md from the code, so they cannot drift.

Two sections are generated between markers: the hooks (from ``hookspecs.py``: each hook's
exact signature and docstring, grouped by lifecycle) and the public face (every name in
``zerenzhi.__all__`` with its signature and docstring, or a constant with its value and the
comment beside its definition). Run it after changing either:

    .venv/bin/python scripts/face_reference.py          # rewrite docs/plugins.md
    .venv/bin/python scripts/face_reference.py --check  # exit 1 if the file is stale

tests/test_docs.py runs the check, and fails on a public name without a docstring.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from pathlib import Path

import zerenzhi
from zerenzhi.plugin_host import hookspecs

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
MARKERS = {"hooks": ("<!-- hooks:begin -->", "<!-- hooks:end -->"),
           "face": ("<!-- face:begin -->", "<!-- face:end -->")}

# Where a name comes from decides its heading; the order is the order of the reference.
GROUPS = (
    ("zerenzhi.plugin_host", "The plugin contract"),
    ("zerenzhi.routes", "Routes and schemas"),
    ("zerenzhi.domain", "Routes and schemas"),
    ("zerenzhi.db", "Models and the database"),
    ("zerenzhi.tenancy", "Tenants and the township's calendar"),
    ("zerenzhi.web", "Tenants and the township's calendar"),
    ("zerenzhi.auth", "People, roles and permissions"),
    ("zerenzhi.orgunits", "The org tree"),
    ("zerenzhi.obligations", "Obligations and the ledger"),
    ("zerenzhi.rollups", "Obligations and the ledger"),
    ("zerenzhi.directives", "Reporting upward"),
    ("zerenzhi.console", "Pages and charts"),
    ("zerenzhi", "Events, labels and references"),
)
# Classes whose constructor is a library's (schemas, pages, blueprints, declarative
# models): their signature says nothing a plugin author needs.
NO_SIGNATURE = ("InputSchema", "QuerySchema", "ListQuery", "SelectPage", "RowPage",
                "Blueprint", "Base", "OrgUnit", "TenantScoped", "Archivable", "Timestamped")


class MissingDocstring(Exception):
    pass


def _group(module: str) -> str:
    for prefix, title in GROUPS:
        if module == prefix or module.startswith(prefix + "."):
            return title
    return GROUPS[-1][1]


def _shown(value: object) -> str:
    """A default value as it would be written: classes by name, factories as ``...``."""
    if inspect.isclass(value):
        return value.__name__
    text = repr(value)
    return "..." if text == "<factory>" else text


def _signature(name: str, obj: object) -> str:
    if name in NO_SIGNATURE:
        return ""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return ""
    params = []
    for param in signature.parameters.values():
        text = param.name
        if param.kind is param.VAR_POSITIONAL:
            text = "*" + text
        elif param.kind is param.VAR_KEYWORD:
            text = "**" + text
        if param.annotation is not param.empty:
            annotation = param.annotation
            text += f": {annotation if isinstance(annotation, str) else _shown(annotation)}"
        if param.default is not param.empty:
            text += f" = {_shown(param.default)}"
        params.append((param.kind, text))
    out, starred = [], False
    for index, (kind, text) in enumerate(params):
        if kind is inspect.Parameter.KEYWORD_ONLY and not starred:
            out.append("*")
            starred = True
        if kind is inspect.Parameter.VAR_POSITIONAL:
            starred = True
        out.append(text)
        if kind is inspect.Parameter.POSITIONAL_ONLY and (
                index + 1 == len(params) or params[index + 1][0] is not kind):
            out.append("/")
    returns = signature.return_annotation
    arrow = "" if returns is signature.empty or inspect.isclass(obj) else (
        f" -> {returns if isinstance(returns, str) else _shown(returns)}")
    return f"({', '.join(out)}){arrow}"


def _face_sources() -> dict[str, str]:
    """Which module the face imports each name from (its ``from … import`` lines)."""
    tree = ast.parse(Path(zerenzhi.__file__).read_text(encoding="utf-8"))
    return {alias.asname or alias.name: node.module for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}


def _constant_note(name: str) -> tuple[str, str]:
    """(module, comment) of ``NAME = ...`` where the face takes it from: the comment on its
    line, or the comment lines just above it."""
    module = _face_sources().get(name, "zerenzhi")
    relative = module.removeprefix("zerenzhi").strip(".").replace(".", "/") or "__init__"
    path = Path(zerenzhi.__file__).parent / f"{relative}.py"
    if not path.exists():
        path = path.with_suffix("") / "__init__.py"
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if re.match(rf"{name}(: [^=]+)? = ", line):
            _, hash_, comment = line.partition("  # ")
            if hash_:
                return module, comment.strip()
            above = []
            for previous in reversed(lines[:index]):
                if not previous.startswith("#"):
                    break
                above.insert(0, previous.lstrip("# ").strip())
            return module, " ".join(above)
    return module, ""


def _entry(name: str) -> tuple[str, str]:
    """(group, markdown) of one public name."""
    obj = getattr(zerenzhi, name)
    if not callable(obj):
        module, note = _constant_note(name)
        if not note:
            raise MissingDocstring(f"{name}: no comment beside its definition")
        return _group(module), f"#### `{name}`\n\n`{name} = {obj!r}` — {note}\n"
    doc = inspect.getdoc(obj)
    inherited = inspect.isclass(obj) and doc == inspect.getdoc(obj.__mro__[1])
    generated = inspect.isclass(obj) and (doc or "").startswith(f"{name}(")  # a dataclass's
    if not doc or inherited or generated:
        raise MissingDocstring(f"{name}: no docstring")
    module = getattr(obj, "__module__", "zerenzhi") or "zerenzhi"
    kind = "class " if inspect.isclass(obj) else ""
    return _group(module), f"#### {kind}`{name}{_signature(name, obj)}`\n\n{doc}\n"


def face_section() -> str:
    grouped: dict[str, list[str]] = {title: [] for _, title in GROUPS}
    missing = []
    for name in sorted(zerenzhi.__all__, key=str.lower):
        try:
            group, text = _entry(name)
        except MissingDocstring as error:
            missing.append(str(error))
            continue
        grouped[group].append(text)
    if missing:
        raise MissingDocstring("; ".join(missing))
    parts = []
    for title, entries in grouped.items():
        if entries:
            parts.append(f"### {title}\n\n" + "\n".join(entries))
    return "\n".join(parts)


HOOK_GROUPS = {"boot": "Boot: once per app, every installed plugin",
               "tenant lifecycle": "Tenant lifecycle: only the plugin concerned",
               "runtime": "Runtime: only the plugins the township enabled"}


def hooks_section() -> str:
    source = Path(hookspecs.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    parts, current = [], None
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and any(
                "hookspec" in ast.unparse(d) for d in node.decorator_list)):
            continue
        line = next(line for line in reversed(source.splitlines()[:node.lineno - 1])
                    if line.startswith("# --- "))
        group = next(title for key, title in HOOK_GROUPS.items() if f"--- {key}:" in line)
        if group != current:
            parts.append(f"### {group}\n")
            current = group
        signature = f"def {node.name}({ast.unparse(node.args)}) -> {ast.unparse(node.returns)}"
        first = "firstresult=True" in ast.unparse(node.decorator_list[0])
        doc = ast.get_docstring(node) or ""
        parts.append(f"#### `{node.name}`\n\n```python\n{signature}\n```\n\n{doc}\n"
                     f"{'First non-None result wins.' if first and 'First' not in doc else ''}"
                     .rstrip() + "\n")
    return "\n".join(parts)


def rendered(text: str) -> str:
    for key, body in (("hooks", hooks_section()), ("face", face_section())):
        begin, end = MARKERS[key]
        head, found, rest = text.partition(begin)
        if not found:
            raise SystemExit(f"{GUIDE}: no {begin} marker")
        _old, found, tail = rest.partition(end)
        if not found:
            raise SystemExit(f"{GUIDE}: no {end} marker")
        text = f"{head}{begin}\n\n{body}\n{end}{tail}"
    return text


def main(argv: list[str]) -> int:
    current = GUIDE.read_text(encoding="utf-8")
    wanted = rendered(current)
    if "--check" in argv:
        if wanted != current:
            print("docs/plugins.md is stale: run .venv/bin/python scripts/face_reference.py",
                  file=sys.stderr)
            return 1
        return 0
    GUIDE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
