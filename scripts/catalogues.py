"""Keep the console's message catalogues in step with the code that uses them.

    .venv/bin/python scripts/catalogues.py           # update: extract, convert, compile
    .venv/bin/python scripts/catalogues.py --check   # fail on a missing translation or a
                                                     # catalogue the code has moved past

Each catalogue is a folder holding ``zh_Hant/LC_MESSAGES/messages.po`` (written by hand:
English msgids, Traditional Chinese msgstrs), ``zh_Hans`` (generated from it by OpenCC, so
the two scripts never drift) and the compiled ``.mo`` files Flask-Babel loads. Core keeps one
catalogue per page area (``core/console/translations/<area>``, sources listed in AREAS);
a plugin keeps one for its own folder (``plugins/<name>/translations``), found by the folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

import opencc
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CONSOLE = ROOT / "core" / "console"
# core's page areas: the files whose messages each area's catalogue holds
AREAS = {
    "base": ["views.py", "pages.py", "forms.py", "setup.py", "i18n.py", "messages.py",
             "templates/console/base.html", "templates/console/login.html",
             "templates/console/index.html", "templates/console/home.html",
             "templates/console/error.html", "templates/console/_macros.html"],
    "calendar": ["calendar.py", "templates/console/calendar*.html"],
    "organisation": ["organisation.py", "templates/console/organisation*.html"],
    "modules": ["modules.py", "templates/console/modules*.html",
                "templates/console/rules*.html"],
    "audit": ["audit.py", "templates/console/audit*.html"],
    "county": ["county.py", "charts.py", "templates/console/county*.html"],
    "bulletin": ["bulletin.py", "templates/console/bulletin*.html"],
    "directives": ["directives.py", "inbox.py", "templates/console/directive*.html",
                   "templates/console/inbox*.html"],
}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
            "_l": None, "N_": None}
# the catalogues' header dates stay fixed, so the compiled files are the same on every run
FIXED_DATES = {"creation_date": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
               "revision_date": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}
OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "false"}


def catalogues() -> list[tuple[Path, list[Path]]]:
    """(catalogue folder, its source files) for core's areas and every plugin's."""
    found = []
    for area, patterns in AREAS.items():
        files = sorted({p for pattern in patterns for p in CONSOLE.glob(pattern)})
        found.append((CONSOLE / "translations" / area, files))
    for plugin in sorted((ROOT / "plugins").glob("*/translations")):
        folder = plugin.parent
        files = sorted([*folder.rglob("*.py"), *folder.rglob("templates/**/*.html")])
        found.append((plugin, [f for f in files if "migrations" not in f.parts]))
    for example in sorted((ROOT / "examples").glob("*/*/translations")):
        folder = example.parent
        found.append((example, sorted([*folder.rglob("*.py"),
                                       *folder.rglob("templates/**/*.html")])))
    return found


def extract(files: list[Path]) -> list[str]:
    ids: dict[str, None] = {}
    for path in files:
        method = "jinja2" if path.suffix == ".html" else "python"
        for _line, message, _comments, _context in extract_from_file(
                method, str(path), keywords=KEYWORDS, options=OPTIONS):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    ids.setdefault(msgid)
    return list(ids)


def _read(path: Path, locale: str) -> Catalog:
    if path.exists():
        with path.open("rb") as file:
            return read_po(file, locale=locale)
    return Catalog(locale=locale)


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, omit_header=True, sort_output=True, width=100)
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def build(folder: Path, files: list[Path]) -> tuple[dict[Path, bytes], list[str]]:
    """The files the catalogue should hold, and the msgids still without a translation."""
    hant_po = folder / "zh_Hant" / "LC_MESSAGES" / "messages.po"
    old = _read(hant_po, "zh_Hant")
    hant = Catalog(locale="zh_Hant", project="zerenzhi", **FIXED_DATES)
    hans = Catalog(locale="zh_Hans", project="zerenzhi", **FIXED_DATES)
    convert = opencc.OpenCC("t2s")
    missing = []
    for msgid in extract(files):
        existing = old.get(msgid)
        text = existing.string if existing is not None else ""
        if not text:
            missing.append(msgid)
        hant.add(msgid, text)
        hans.add(msgid, convert.convert(text) if text else "")
    wanted = {
        hant_po: _po_bytes(hant),
        hant_po.with_suffix(".mo"): _mo_bytes(hant),
        folder / "zh_Hans" / "LC_MESSAGES" / "messages.po": _po_bytes(hans),
        folder / "zh_Hans" / "LC_MESSAGES" / "messages.mo": _mo_bytes(hans),
    }
    return wanted, missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    problems = []
    seen: dict[str, tuple[str, Path]] = {}  # msgid -> (msgstr, catalogue): one text app-wide
    for folder, files in catalogues():
        wanted, missing = build(folder, files)
        hant = wanted[folder / "zh_Hant" / "LC_MESSAGES" / "messages.po"]
        for message in read_po(io.BytesIO(hant), locale="zh_Hant"):
            if not message.id or not message.string:
                continue
            first = seen.setdefault(message.id, (message.string, folder))
            if first[0] != message.string:
                # Flask-Babel merges every catalogue into one: the last loaded would win
                problems.append(f"{message.id!r} is {first[0]!r} in "
                                f"{first[1].relative_to(ROOT)} but {message.string!r} in "
                                f"{folder.relative_to(ROOT)}: one text for one msgid")
        for msgid in missing:
            problems.append(f"{folder.relative_to(ROOT)}: no zh_Hant translation of {msgid!r}")
        for path, content in wanted.items():
            if path.exists() and path.read_bytes() == content:
                continue
            if args.check:
                problems.append(f"{path.relative_to(ROOT)} is out of date: run "
                                f"scripts/catalogues.py")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
