"""The module's one Blueprint; core mounts it at ``/api/v1/townships/<township>/analysis``."""

from __future__ import annotations

from typing import NoReturn

from flask_smorest import Blueprint, abort

from zerenzhi import session
from zerenzhi.plugins.analysis.common import AnalysisError

blp = Blueprint("analysis", __name__,
                description="Situation analysis (研判): half-year, forward-looking and ad-hoc "
                            "analyses, contributions, sensitive dates (A1–A4)")


def fail(error: AnalysisError) -> NoReturn:
    """Answer a domain error as field errors, with nothing written."""
    session().rollback()
    abort(error.status, message=error.message, errors={"json": {error.field: [error.message]}})
