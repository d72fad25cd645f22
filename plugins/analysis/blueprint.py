"""The module's one Blueprint; core mounts it at ``/api/v1/townships/<township>/analysis``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from zerenzhi import Blueprint, SelectPage, session

blp = Blueprint("analysis", __name__,
                description="Situation analysis (研判): half-year, forward-looking and ad-hoc "
                            "analyses, contributions, sensitive dates (A1–A4)")


class _ShownPage(SelectPage):
    show: Callable[[Session, list], list]

    @property
    def items(self) -> list:
        return self.show(session(), super().items)


def shown_page(show: Callable[[Session, list[Any]], list[Any]]) -> type[SelectPage]:
    """``SelectPage`` whose items are what ``show`` makes of the page's records: the service
    computes what a row shows for the whole page at once (a fixed number of statements
    whatever the page size), and the schema only dumps."""
    return type(f"{show.__name__}_page", (_ShownPage,), {"show": staticmethod(show)})
