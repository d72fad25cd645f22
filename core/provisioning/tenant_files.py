"""Provisioning files (``tenants/<county>/_county.toml``, ``<township>.toml``): read and write.

Reading checks everything that can be checked without the database, so a typo stops
``tenants apply`` before anything is written, with the file and key in the message.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from zerenzhi.auth.roles import ROLES
from zerenzhi.labels import SUPPORTED as LANGUAGES
from zerenzhi.orgunits.models import UNIT_KINDS
from zerenzhi.provisioning.service import ProvisioningError, check_timezone

COUNTY_FILE = "_county.toml"
COMMITTEE = "committee"
SLUG = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{2,149}$")
PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")

TENANT_KEYS = {"slug": str, "kind": str, "name": str, "name_en": str, "timezone": str,
               "live_from": dt.date, "language": str, "demo": bool, "county": str,
               "units": list, "users": list, "plugins": dict, "rules": dict}
RULE_KEYS = {"enabled": bool, "min_count": int, "deadline_hours": int, "reason": str}
UNIT_KEYS = {"code": str, "name": str, "kind": str, "parent": str}
USER_KEYS = {"username": str, "display_name": str, "demo_password": str, "positions": list}
POST_KEYS = {"role": str, "unit": str}


class ProvisionError(ValueError):
    """A provisioning file is wrong (or disagrees with the database); names file and key."""

    def __init__(self, path: Path | str, key: str, message: str) -> None:
        self.path, self.key, self.message = str(path), key, message
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")


@dataclass(frozen=True)
class PostSpec:
    role: str
    unit: str | None  # a unit code (townships) or None (counties)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    key: str


@dataclass(frozen=True)
class UserSpec:
    username: str
    display_name: str
    demo_password: str | None
    positions: tuple[PostSpec, ...]
    key: str


@dataclass
class TenantSpec:
    path: Path
    kind: str
    slug: str
    name: str
    name_en: str | None = None
    timezone: str | None = None
    live_from: dt.date | None = None  # a township's go-live date (default: the day applied)
    language: str | None = None  # its pages' default language (a township: else its county's)
    demo: bool = False
    county: str | None = None
    units: list[UnitSpec] | None = None  # None: the file does not manage the org tree
    users: list[UserSpec] = field(default_factory=list)
    plugins: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class TenantTree:
    counties: list[TenantSpec]
    townships: list[TenantSpec]

    def townships_of(self, county: str) -> list[TenantSpec]:
        return [t for t in self.townships if t.county == county]


def _checked(path: Path, where: str, data: Any, allowed: dict[str, type],
             required: tuple[str, ...]) -> dict[str, Any]:
    """``data`` as a table with only ``allowed`` keys of the right types."""
    if not isinstance(data, dict):
        raise ProvisionError(path, where, "must be a table")
    prefix = f"{where}." if where else ""
    for key, value in data.items():
        if key not in allowed:
            raise ProvisionError(path, prefix + key, f"unknown key (allowed: {', '.join(allowed)})")
        if not isinstance(value, allowed[key]) or (
                allowed[key] is dt.date and isinstance(value, dt.datetime)):
            raise ProvisionError(path, prefix + key, f"must be a {allowed[key].__name__}")
    for key in required:
        if key not in data:
            raise ProvisionError(path, prefix + key, "is required")
        if allowed[key] is str and not data[key].strip():
            raise ProvisionError(path, prefix + key, "must not be empty")
    return data


def _match(path: Path, key: str, value: str, pattern: re.Pattern, what: str) -> str:
    if not pattern.fullmatch(value):
        raise ProvisionError(path, key, f"{value!r} is not a valid {what}")
    return value


def _units(path: Path, raw: list) -> list[UnitSpec]:
    """The unit entries, parents before children; committee entry only renames the root."""
    units: dict[str, UnitSpec] = {}
    for i, item in enumerate(raw):
        key = f"units[{i}]"
        data = _checked(path, key, item, UNIT_KEYS, ("code", "name", "kind"))
        code = _match(path, f"{key}.code", data["code"], CODE, "unit code")
        if code in units:
            raise ProvisionError(path, f"{key}.code", f"unit {code!r} is listed twice")
        kind, parent = data["kind"], data.get("parent")
        if kind not in UNIT_KINDS:
            raise ProvisionError(path, f"{key}.kind",
                                 f"unknown unit kind {kind!r} (one of {', '.join(UNIT_KINDS)})")
        if (code == COMMITTEE) != (kind == COMMITTEE):
            raise ProvisionError(path, f"{key}.kind", "only the root unit 'committee' has kind "
                                 "committee")
        if code == COMMITTEE and parent is not None:
            raise ProvisionError(path, f"{key}.parent", "the committee is the root of the tree")
        if code != COMMITTEE and parent is None:
            raise ProvisionError(path, f"{key}.parent", "is required (a unit code or 'committee')")
        units[code] = UnitSpec(code, data["name"], kind, parent, key)
    ordered: list[UnitSpec] = []
    placed = {COMMITTEE}
    for unit in units.values():
        trail: list[UnitSpec] = []
        node: UnitSpec | None = unit
        while node is not None and node.code not in placed:
            if node in trail:
                raise ProvisionError(path, f"{unit.key}.parent", "units are parents of each other")
            trail.append(node)
            if node.parent not in units and node.parent != COMMITTEE:
                raise ProvisionError(path, f"{node.key}.parent",
                                     f"no unit {node.parent!r} in this file")
            node = units.get(node.parent) if node.parent else None
        for item in reversed(trail):
            placed.add(item.code)
            ordered.append(item)
    if COMMITTEE in units:
        ordered.insert(0, units[COMMITTEE])
    return ordered


def _users(path: Path, raw: list, kind: str, unit_codes: set[str] | None) -> list[UserSpec]:
    users = []
    for i, item in enumerate(raw):
        key = f"users[{i}]"
        data = _checked(path, key, item, USER_KEYS, ("username", "display_name"))
        username = _match(path, f"{key}.username", data["username"], USERNAME, "username")
        posts: list[PostSpec] = []
        for j, post in enumerate(data.get("positions", [])):
            pkey = f"{key}.positions[{j}]"
            post = _checked(path, pkey, post, POST_KEYS, ("role",))
            role, unit = post["role"], post.get("unit")
            spec = ROLES.get(role)
            if spec is None or spec.tenant_kind != kind:
                allowed = ", ".join(n for n, r in ROLES.items() if r.tenant_kind == kind)
                raise ProvisionError(path, f"{pkey}.role", f"unknown {kind} role {role!r} "
                                     f"(one of {allowed})")
            if kind == "county" and unit is not None:
                raise ProvisionError(path, f"{pkey}.unit", "county positions have no unit")
            if kind == "township":
                if unit is None and spec.needs_unit:
                    raise ProvisionError(path, f"{pkey}.unit", f"a {role} is posted to a unit")
                unit = unit or COMMITTEE
                if unit_codes is not None and unit not in unit_codes:
                    raise ProvisionError(path, f"{pkey}.unit", f"no unit {unit!r} in this file")
            if PostSpec(role, unit) in posts:
                raise ProvisionError(path, pkey, "the same position is listed twice")
            posts.append(PostSpec(role, unit))
        users.append(UserSpec(username, data["display_name"], data.get("demo_password"),
                              tuple(posts), key))
    return users


def _plain(value: Any) -> Any:
    """TOML values as JSON-storable ones (dates and times become ISO strings)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def read_file(path: Path, expected_kind: str) -> TenantSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProvisionError(path, "", f"invalid TOML: {exc}") from exc
    _checked(path, "", data, TENANT_KEYS, ("slug", "kind", "name"))
    if data["kind"] != expected_kind:
        raise ProvisionError(path, "kind", f"must be {expected_kind!r} in this file")
    slug = _match(path, "slug", data["slug"], SLUG, "slug")
    if expected_kind == "township" and path.stem != slug:
        raise ProvisionError(path, "slug", f"must match the file name ({path.stem!r})")
    if expected_kind == "county":
        if path.parent.name != slug:
            raise ProvisionError(path, "slug", f"must match the folder name ({path.parent.name!r})")
        for key in ("units", "county", "live_from"):
            if key in data:
                raise ProvisionError(path, key, "not allowed in a county file")
    if "timezone" in data:
        try:
            check_timezone(data["timezone"])
        except ProvisioningError as exc:
            raise ProvisionError(path, "timezone", exc.message) from exc
    if "language" in data and data["language"] not in LANGUAGES:
        raise ProvisionError(path, "language", f"must be one of {', '.join(LANGUAGES)}")
    units = _units(path, data["units"]) if "units" in data else None
    codes = {COMMITTEE} | {u.code for u in units} if units is not None else None
    plugins = {}
    for name, table in data.get("plugins", {}).items():
        _match(path, f"plugins.{name}", name, PLUGIN_NAME, "plugin name")
        if not isinstance(table, dict):
            raise ProvisionError(path, f"plugins.{name}", "must be a table")
        plugins[name] = _plain(table)
    rules = _rules(path, data.get("rules", {}), expected_kind)
    return TenantSpec(
        path=path, kind=expected_kind, slug=slug, name=data["name"], name_en=data.get("name_en"),
        timezone=data.get("timezone"), live_from=data.get("live_from"),
        language=data.get("language"),
        demo=data.get("demo", False), county=data.get("county"),
        units=units, users=_users(path, data.get("users", []), expected_kind, codes),
        plugins=plugins, rules=rules,
    )


def _rules(path: Path, data: dict, kind: str) -> dict[str, dict[str, Any]]:
    """``[rules."study.branch_theory_study"]`` tables: a township's numbers for a rule."""
    if data and kind != "township":
        raise ProvisionError(path, "rules", "rules are set per township")
    rules = {}
    for key, table in data.items():
        if not isinstance(table, dict):
            raise ProvisionError(path, f"rules.{key}", "must be a table")
        for name, value in table.items():
            wanted = RULE_KEYS.get(name)
            if wanted is None:
                raise ProvisionError(path, f"rules.{key}.{name}",
                                     f"unknown key (allowed: {', '.join(RULE_KEYS)})")
            if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
                raise ProvisionError(path, f"rules.{key}.{name}", f"must be {wanted.__name__}")
        rules[key] = dict(table)
    return rules


def read_tree(directory: Path) -> TenantTree:
    """Every county and township file under ``directory``, checked and cross-checked."""
    counties: list[TenantSpec] = []
    townships: list[TenantSpec] = []
    for stray in sorted(directory.glob("*.toml")):
        raise ProvisionError(stray, "", f"belongs in a county folder ({directory}/<county>/)")
    for folder in sorted(p for p in directory.iterdir() if p.is_dir() and p.name[0] != "."):
        files = sorted(folder.glob("*.toml"))
        if not files:
            continue
        county_path = folder / COUNTY_FILE
        county = read_file(county_path, "county") if county_path.is_file() else None
        for path in files:
            if path.name == COUNTY_FILE:
                continue
            if county is None:
                raise ProvisionError(path, "", f"its county file {county_path} is missing")
            township = read_file(path, "township")
            if township.county not in (None, county.slug):
                raise ProvisionError(path, "county", f"the folder's county is {county.slug!r}")
            township.county = county.slug
            townships.append(township)
        if county is not None:
            counties.append(county)
    _unique(counties + townships)
    return TenantTree(counties, townships)


def _unique(specs: list[TenantSpec]) -> None:
    slugs: dict[str, Path] = {}
    usernames: dict[str, Path] = {}
    for spec in specs:
        if spec.slug in slugs:
            raise ProvisionError(spec.path, "slug", f"{spec.slug!r} is also in {slugs[spec.slug]}")
        slugs[spec.slug] = spec.path
        for user in spec.users:
            if user.username in usernames:
                raise ProvisionError(spec.path, f"{user.key}.username",
                                     f"{user.username!r} is also in {usernames[user.username]}")
            usernames[user.username] = spec.path


def _without_none(value: Any) -> Any:
    """TOML has no null: keys whose value is None are left out."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value


def dumps(doc: dict[str, Any]) -> str:
    """A tenant document as TOML laid out like the hand-written files."""
    head = {k: doc[k] for k in TENANT_KEYS
            if k in doc and k not in ("units", "users", "plugins", "rules")}
    parts = [tomli_w.dumps(_without_none(head))]
    for section in ("units", "users"):
        parts += [f"\n[[{section}]]\n" + tomli_w.dumps(_without_none(item))
                  for item in doc.get(section, [])]
    if doc.get("plugins"):
        parts.append("\n" + tomli_w.dumps({"plugins": _without_none(doc["plugins"])}))
    if doc.get("rules"):
        parts.append("\n" + tomli_w.dumps({"rules": doc["rules"]}))
    return "".join(parts)
