"""Small helpers shared by the analysis services: the caller, and records as lists show them.

``caller()`` reads the request's identity through ``zerenzhi.current_identity``; outside a
request (CLI, demo data, tests calling services) the caller passes who acts explicitly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from zerenzhi import current_identity


@dataclass(frozen=True)
class Actor:
    member_id: uuid.UUID | None
    name: str
    roles: frozenset[str]


def caller() -> Actor | None:
    identity = current_identity()
    if identity is None:
        return None
    return Actor(identity.user_id, identity.display_name,
                 frozenset(post.role for post in identity.posts))


class Shown:
    """A record with what the API shows beside its own columns, computed by a service for a
    whole page at once, so the schema dumps plain values and never queries. Anything not
    given here is the record's own attribute."""

    def __init__(self, record: Any, **shown: Any) -> None:
        self.record = record
        self.__dict__.update(shown)

    def __getattr__(self, name: str) -> Any:
        if name == "record":  # not set yet (copying): no recursion
            raise AttributeError(name)
        return getattr(self.record, name)
