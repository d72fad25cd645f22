"""marshmallow's validation messages in the page's language.

The API's schemas answer in English with the values filled in ("Longer than maximum length
200."); each template below is a msgid of the console's catalogue, matched against the
filled message and re-filled in the page's language. A message no template matches (the
API's own, already rendered from labels) passes through unchanged.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import gettext


def N_(text: str) -> str:
    return text


TEMPLATES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid type."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid UUID."),
    N_("Not a valid boolean."),
    N_("Not a valid string."),
    N_("Not a valid list."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Number too large."),
    N_("Unknown field."),
    N_("Must be one of: {choices}."),
    N_("Longer than maximum length {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be greater than {min}."),
    N_("Must be less than {max}."),
)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for template in TEMPLATES:
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", pattern)
        compiled.append((re.compile(f"^{pattern}$"), template))
    return compiled


def translate(message: str) -> str:
    """``message`` in the page's language, if it is one of marshmallow's."""
    for pattern, template in _patterns():
        match = pattern.match(message)
        if match:
            return gettext(template).format(**match.groupdict())
    return gettext(message) if message else message
