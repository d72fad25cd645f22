"""The select behind a list route: live records unless archived ones are asked for, exact
filters on the query's fields, a stable order. Pagination stays in ``SelectPage``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, select


def listed(model: type[Any], query: Mapping[str, Any], *, match: Iterable[str] = (),
           order_by: Iterable[Any] = (), statement: Select | None = None) -> Select:
    """``select(model)`` (or ``statement``) for a list request.

    Archived rows are left out unless ``query["include_archived"]`` is true (models without
    ``archived_at`` are never filtered); each name in ``match`` present in ``query`` adds
    ``model.<name> == query[name]``; ``order_by`` should end on a unique column (the id) so
    pages never overlap. Tenant scoping is added centrally, as for every ORM select.
    """
    statement = select(model) if statement is None else statement
    archived_at = getattr(model, "archived_at", None)
    if archived_at is not None and not query.get("include_archived", False):
        statement = statement.where(archived_at.is_(None))
    for name in match:
        if name in query:
            statement = statement.where(getattr(model, name) == query[name])
    return statement.order_by(*order_by)
