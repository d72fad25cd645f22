"""Labels stored once in Traditional Chinese (as in the seed) with an English name,
served as zh-Hant, zh-Hans (OpenCC) or en by ``Accept-Language``; default zh-Hans.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

SUPPORTED = ("zh-Hans", "zh-Hant", "en")
DEFAULT_LANGUAGE = "zh-Hans"


@dataclass(frozen=True)
class Label:
    """A name in Traditional Chinese (``zh``, as the source text writes it) and English;
    ``render`` serves Simplified Chinese converted from ``zh`` (OpenCC), so every label is
    readable in the three scripts users ask for without a third copy to keep in step."""

    zh: str  # Traditional Chinese, as in the seed
    en: str

    def render(self, language: str | None = None) -> str:
        return render(self, language)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def negotiate(accept_language: str | None) -> str:
    """Pick a script from an Accept-Language header (quality order, zh variants mapped)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    choices = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        choices.append((-quality, index, tag.strip().lower()))
    for _q, _i, tag in sorted(choices):
        if tag.startswith("en"):
            return "en"
        if tag in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") or tag.startswith("zh-hant"):
            return "zh-Hant"
        if tag.startswith("zh") or tag == "*":
            return "zh-Hans"
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """The request's script: the console's choice for a page (``g.zz_language``: the
    remembered switch, else the township's default), else ``Accept-Language``."""
    from flask import g, has_request_context, request

    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = g.get("zz_language")
    if chosen in SUPPORTED:
        return chosen
    return negotiate(request.headers.get("Accept-Language"))


def render(label: Label, language: str | None = None) -> str:
    """``label`` in ``language`` (``zh-Hans``, ``zh-Hant`` or ``en``); by default the
    request's ``Accept-Language`` (Simplified Chinese when it names none of them)."""
    language = language or current_language()
    if language == "en":
        return label.en
    if language == "zh-Hant":
        return label.zh
    return to_simplified(label.zh)
