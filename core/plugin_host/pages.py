"""What a plugin adds to the web console: a blueprint of pages and its navigation entries.

Declared here, below the console, so that the contract (``register_pages``) and the
``Plugin`` base can name it; the console (``zerenzhi.console``) mounts what they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Blueprint

    from zerenzhi.labels import Label


@dataclass(frozen=True)
class NavEntry:
    """One link in the console's navigation.

    ``endpoint`` is a view of the plugin's page blueprint (``"<blueprint>.<view>"``), linked
    with the township filled in; ``label`` is shown in the page's language (zh-Hant as
    written, zh-Hans converted by OpenCC, en); the link is shown only to users holding
    ``permission`` in a township that enabled the module; lower ``order`` comes first
    (core's entries use 10–50)."""

    endpoint: str
    label: Label
    permission: str
    order: int = 100


@dataclass(frozen=True)
class Pages:
    """A plugin's console pages: a Flask ``blueprint`` (mounted at
    ``/townships/<township>/<plugin>``, so every view receives the township already entered),
    its ``nav`` entries, and the folder of its message catalogues (``translations``, laid out
    as ``<folder>/zh_Hant/LC_MESSAGES/messages.po``), merged with the console's."""

    blueprint: Blueprint
    nav: tuple[NavEntry, ...] = ()
    translations: Path | None = None
