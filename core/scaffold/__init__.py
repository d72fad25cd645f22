"""``zerenzhi plugins new NAME``: write a plugin distribution that works before it is edited.

The templates under ``templates/plugin`` are a complete third-party plugin (one table in
its own migration lineage, routes, a rule fed by the ledger, a roll-up metric, demo data,
tests against the conformance kit), written against the face ``zerenzhi`` only. They are
``string.Template`` files (``${name}``) ending in ``.tmpl``, so no tool mistakes them for
Python of this package; a path segment ``${package}`` becomes the import package.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import entry_points, version
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from zerenzhi.plugin_host.manager import ENTRY_POINT_GROUP

# The longest constraint name of the generated table must fit PostgreSQL's 63 characters:
# "fk_<name>_record_tenant_id_unit_id_org_unit".
MAX_NAME = 63 - len("fk__record_tenant_id_unit_id_org_unit")
NAME = re.compile(rf"^[a-z][a-z0-9_]{{1,{MAX_NAME - 1}}}$")
DEFAULT_TITLE_ZH = "新模組"  # "new module", in Traditional Chinese as labels store it
# A title is a module's short name; within these the generated code keeps to 100 columns.
MAX_TITLE = {"title_zh": 16, "title_en": 40}
TEMPLATES = "templates/plugin"


class ScaffoldError(ValueError):
    """The distribution cannot be written as asked; the message says why."""


@dataclass(frozen=True)
class Names:
    """Every spelling of the plugin's name the templates use."""

    name: str  # plugin, entry point and table prefix: "training"
    title_zh: str  # Traditional Chinese (Label.zh); zh-Hans is derived from it when served
    title_en: str

    @property
    def values(self) -> dict[str, str]:
        camel = "".join(part.capitalize() for part in self.name.split("_"))
        return {
            "name": self.name, "Name": camel, "table": f"{self.name}_record",
            "package": f"zerenzhi_{self.name}",
            "dist": f"zerenzhi-{self.name.replace('_', '-')}",
            "title_zh": self.title_zh, "title_en": self.title_en,
            "title_en_lower": self.title_en.lower(),
            "zerenzhi_version": version("zerenzhi"), "today": dt.date.today().isoformat(),
        }


def traditional(text: str) -> str:
    """Labels are stored in Traditional Chinese (``zerenzhi.Label``): a title typed in
    Simplified is converted, one typed in Traditional stays as it is."""
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def check_title(option: str, title: str) -> None:
    """Titles are written into Python string literals: short, one line, no quotes."""
    if not title.strip() or len(title) > MAX_TITLE[option] or any(
            c in '"\\' or not c.isprintable() for c in title):
        raise ScaffoldError(f"--{option.replace('_', '-')} {title!r}: 1 to {MAX_TITLE[option]} "
                            "printable characters on one line, without '\"' or '\\'")


def check_name(name: str) -> None:
    if not NAME.match(name):
        raise ScaffoldError(
            f"plugin name {name!r}: lower-case letters, digits and '_', starting with a letter, "
            f"2 to {MAX_NAME} characters (it names the entry point, the tables and the package)")
    taken = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if name in taken:
        raise ScaffoldError(f"a plugin named {name!r} is already installed ({taken[name]}): "
                            "choose another name")


def generate(name: str, parent: Path, *, title_zh: str | None = None,
             title_en: str | None = None) -> Path:
    """Write ``zerenzhi-<name>/`` under ``parent`` and return it. Refuses a bad or taken
    name and a target folder that exists with anything in it (nothing is overwritten)."""
    check_name(name)
    names = Names(name, traditional(title_zh or DEFAULT_TITLE_ZH),
                  title_en or name.replace("_", " ").capitalize())
    check_title("title_zh", names.title_zh)
    check_title("title_en", names.title_en)
    values = names.values
    target = Path(parent) / values["dist"]
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not empty: nothing written")
    files = dict(_render(resources.files("zerenzhi.scaffold").joinpath(TEMPLATES), "", values))
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


def _render(folder: Traversable, prefix: str, values: dict[str, str]):
    """(relative path, text) of every template below ``folder``, substituted."""
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        relative = prefix + Template(entry.name).substitute(values)
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _render(entry, relative + "/", values)
        elif entry.name.endswith(".tmpl"):
            text = Template(entry.read_text(encoding="utf-8")).substitute(values)
            yield relative.removesuffix(".tmpl"), text
