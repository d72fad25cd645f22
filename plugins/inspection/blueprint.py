"""The module's one Blueprint; core mounts it at ``/api/v1/townships/<township>/inspection``."""

from __future__ import annotations

from typing import NoReturn

from flask_smorest import Blueprint, abort

from zerenzhi import session
from zerenzhi.plugins.inspection.common import InspectionError

blp = Blueprint("inspection", __name__,
                description="Inspection (督查): half-year campaigns, checks, findings and "
                            "rectification, ratings and interviews, scores (I1–I4)")


def fail(error: InspectionError) -> NoReturn:
    """Answer a domain error as field errors, with nothing written."""
    session().rollback()
    abort(error.status, message=error.message, errors={"json": {error.field: [error.message]}})
