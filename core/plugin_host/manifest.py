"""Plugin metadata: a validated ``manifest`` on the plugin object (not a hook)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import marshmallow as ma

from zerenzhi.labels import Label

NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class NoSettings(ma.Schema):
    class Meta:
        unknown = ma.RAISE


@dataclass(frozen=True)
class Manifest:
    """A plugin's validated metadata, the ``manifest`` attribute of the entry-point object.

    ``name`` must equal the entry-point name (lower-case letters, digits, ``_``); ``title``
    is a ``Label``; ``settings`` a marshmallow schema class (unknown keys refused) whose
    ``settings_version`` rises when stored settings need converting; ``migrations`` is
    ``"package:folder"`` of its own alembic lineage (version table
    ``alembic_version_<name>``); ``requires`` names plugins it must come after (migrations,
    enabling); ``table_prefix`` defaults to ``"<name>_"`` and every table of the plugin must
    start with it; ``demo_after`` orders demo data softly.

    A settings field with ``metadata={"secret": True}`` (a key, a password) is write-only:
    the API shows it as ``{"set": true}`` or ``{"set": false}`` and takes ``{"set": true}``
    to keep it; the audit log masks it; it is stored encrypted (``ZERENZHI_SECRET_KEYS``).
    ``plugin_settings`` gives the plugin its value.
    """

    name: str
    version: str
    title: Label
    settings: type[ma.Schema] = NoSettings
    settings_version: int = 1
    migrations: str | None = None  # "package.module:folder" holding an alembic versions dir
    requires: tuple[str, ...] = field(default_factory=tuple)
    table_prefix: str = ""
    # soft order for demo data: modules whose demo records this one's demo reads, if enabled
    demo_after: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"plugin name {self.name!r}: lower-case letters, digits, '_'")
        if not isinstance(self.title, Label):
            raise ValueError(f"plugin {self.name}: title must be a zerenzhi.Label")
        if not (isinstance(self.settings, type) and issubclass(self.settings, ma.Schema)):
            raise ValueError(f"plugin {self.name}: settings must be a marshmallow Schema class")
        if not self.table_prefix:
            object.__setattr__(self, "table_prefix", f"{self.name}_")
