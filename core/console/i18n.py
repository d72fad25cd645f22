"""The console's languages: which one a page is in, and its message catalogues.

A page is in the language the user chose with the switch (remembered in a cookie), else the
township's (or county's) default — the script its documents are written in, so labels and
stored names do not mix scripts on one page — else ``Accept-Language`` (the login page).
Decision 0026 gives the order. Labels stored in the database follow the same choice
(``labels.current_language`` reads ``g.zz_language``).

Messages are gettext catalogues (Flask-Babel): English msgids, a zh_Hant catalogue written by
hand, and a zh_Hans one generated from it by OpenCC (``scripts/catalogues.py``). Each page area
and each plugin keeps its own catalogue folder; Flask-Babel merges them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import Babel

from zerenzhi.console.messages import translate
from zerenzhi.db.session import session
from zerenzhi.labels import SUPPORTED, negotiate
from zerenzhi.tenancy.models import Tenant

COOKIE = "zz_lang"
COOKIE_DAYS = 365
# the language tags of the product -> Babel's locale names (catalogue folders)
LOCALES = {"zh-Hant": "zh_Hant", "zh-Hans": "zh_Hans", "en": "en"}
NAMES = {"zh-Hant": "繁體中文", "zh-Hans": "简体中文", "en": "English"}
FALLBACK = "zh-Hant"  # the script of the source text, for a tenant with no setting
CATALOGUES = Path(__file__).parent / "translations"


def core_catalogues() -> list[str]:
    """One folder per page area (``translations/<area>/zh_Hant/LC_MESSAGES``)."""
    return sorted(str(folder) for folder in CATALOGUES.iterdir() if folder.is_dir())


def page_language() -> str:
    """The language of this page, decided once per request."""
    chosen = g.get("zz_language")
    if chosen:
        return chosen
    chosen = request.cookies.get(COOKIE)
    if chosen not in SUPPORTED:
        chosen = _tenant_language(g.get("zz_tenant"))
        if chosen not in SUPPORTED:
            header = request.headers.get("Accept-Language")
            chosen = negotiate(header) if header else FALLBACK
    g.zz_language = chosen
    return chosen


def _tenant_language(tenant: Tenant | None) -> str | None:
    """The township's default language, else its county's (one primary-key read)."""
    if tenant is None:
        return None
    if tenant.language is None and tenant.county_id is not None:
        county = session().get(Tenant, tenant.county_id)
        return county.language if county is not None else None
    return tenant.language


def locale() -> str:
    return LOCALES[page_language()]


def install(app: Flask, extra: Iterable[Path]) -> Babel:
    """Flask-Babel over the console's catalogues and each plugin's (``extra``)."""
    folders = [*core_catalogues(), *(str(path) for path in extra)]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(folders)
    return Babel(app, locale_selector=locale, timezone_selector=_timezone)


def _timezone() -> str:
    tenant = g.get("zz_tenant")
    return getattr(tenant, "timezone", None) or "Asia/Shanghai"


def translate_errors(errors: Mapping[str, Any] | list | str) -> dict[str, list[str]]:
    """Field errors (marshmallow's nested shape, or a DomainError's) as a flat map of field
    to messages in the page's language: marshmallow's own messages are msgids of the
    catalogue; messages the API already renders from labels pass through unchanged."""
    flat: dict[str, list[str]] = {}

    def walk(field: str, value: Any) -> None:  # nested messages go to the top field
        if isinstance(value, Mapping):
            for inner in value.values():
                walk(field, inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(field, inner)
        else:
            messages = flat.setdefault(field, [])
            if (text := translate(str(value))) not in messages:
                messages.append(text)

    if isinstance(errors, Mapping):
        for field, value in errors.items():
            walk(str(field), value)
    else:
        walk("_schema", errors)
    return flat


def language_choices() -> list[tuple[str, str]]:
    return [(tag, NAMES[tag]) for tag in ("zh-Hant", "zh-Hans", "en")]


def secure_cookie() -> bool:
    return bool(current_app.config["CONSOLE_COOKIE_SECURE"])
