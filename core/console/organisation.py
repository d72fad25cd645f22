"""The township's organisation page(s) (issue 14); registered on the console's blueprint."""

from __future__ import annotations

from zerenzhi.console.pages import bp  # noqa: F401
