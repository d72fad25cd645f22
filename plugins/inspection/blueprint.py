"""The module's one Blueprint; core mounts it at ``/api/v1/townships/<township>/inspection``."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from zerenzhi import Blueprint, SelectPage, session

blp = Blueprint("inspection", __name__,
                description="Inspection (督查): half-year campaigns, checks, findings and "
                            "rectification, ratings and interviews, scores (I1–I4)")


def shown_page(show: Callable[[Session, list], list]) -> type[SelectPage]:
    """``SelectPage`` whose page goes through ``show``: what a list adds to its records
    (coverage, obligation status) is computed for the whole page at once, in a fixed number
    of statements, and the schema only dumps it."""

    class ShownPage(SelectPage):
        @property
        def items(self) -> list:
            return show(session(), SelectPage.items.fget(self))

    return ShownPage
