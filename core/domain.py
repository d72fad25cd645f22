"""The one error a service raises when input parsed but does not fit the township's facts.

Services stay free of Flask: they raise ``DomainError`` and the app maps it once (in
``zerenzhi.errors``) to ``{code, status, message, errors: {<location>: {<field>: [...]}}}``
after rolling the transaction back, so a rejected write leaves nothing behind. A CLI command
or an import job catches the same error and reports it its own way.
"""

from __future__ import annotations


class DomainError(ValueError):
    """``field`` is wrong for this township: ``message`` says why in the user's terms.

    ``status`` is 422 by default; 409 for a conflict with the township's state (no committee
    unit, a record already closed), 403 for a unit outside the caller's posts.
    ``location`` names where the field came from (``json``, ``query``, ``files``), as
    webargs' own validation errors do, so a client reads one shape for both.
    """

    def __init__(self, field: str, message: str, status: int = 422, *,
                 location: str = "json") -> None:
        super().__init__(message)
        self.field, self.message, self.status, self.location = field, message, status, location

    @property
    def errors(self) -> dict[str, dict[str, list[str]]]:
        return {self.location: {self.field: [self.message]}}
