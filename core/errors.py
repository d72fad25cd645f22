"""Errors are JSON ``{code, status, message, errors}``; a failed write changes nothing."""

from __future__ import annotations

import logging
import traceback

from flask import Flask, jsonify
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    OperationalError,
    PendingRollbackError,
    SQLAlchemyError,
    StatementError,
)
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from zerenzhi.db.session import session
from zerenzhi.domain import DomainError
from zerenzhi.secrets import SecretKeyError

log = logging.getLogger("zerenzhi.errors")

RETRY_AFTER = 5  # seconds: a pool reconnects at once, a database restart takes a few


def _payload(code: int, status: str, message: str, errors: dict | None = None,
             headers: dict[str, str] | None = None):
    body = {"code": code, "status": status, "message": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), code, headers or {}


def _domain(error: DomainError):
    session().rollback()
    return _payload(error.status, HTTP_STATUS_CODES[error.status],
                    error.message, error.errors)


def _integrity(error: IntegrityError):
    session().rollback()
    log.info("integrity conflict: %s", error.orig)
    return _payload(409, "Conflict", "the change conflicts with existing records")


def _data(error: DataError):
    session().rollback()
    return _payload(422, "Unprocessable Entity", "a value does not fit its field")


def _unencodable(error: UnicodeEncodeError):
    # Valid JSON may hold a lone surrogate such as "\ud800": no text a database can store.
    session().rollback()
    return _payload(400, "Bad Request", "the request holds text that is not valid Unicode")


def _overflow(error: OverflowError):
    # An integer too big for the database (SQLite raises this; PostgreSQL a DataError).
    session().rollback()
    return _payload(422, "Unprocessable Entity", "a value does not fit its field")


def _statement(error: StatementError):
    """A value the driver could not convert before sending it (a date that leaves the years
    Python holds when shifted to UTC): the input's fault, like a ``DataError``."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return _unavailable(error)
    if isinstance(error.orig, OverflowError | ValueError):
        session().rollback()
        return _payload(422, "Unprocessable Entity", "a value does not fit its field")
    return _unhandled(error)


def _too_deep(error: RecursionError):
    frames = traceback.extract_tb(error.__traceback__)
    if any(frame.filename.endswith(("json/decoder.py", "json/__init__.py")) for frame in frames):
        return _payload(400, "Bad Request", "the JSON body is nested too deeply")
    return _unhandled(error)


def _unavailable(error: SQLAlchemyError):
    """The database is busy, restarting or gone (``OperationalError``, a connection the
    driver found dead, the ``PendingRollbackError`` of reading through one): 503 with
    Retry-After. The rollback returns the dead connection, so the pool starts afresh."""
    try:
        session().rollback()
    except SQLAlchemyError:
        session().close()
    log.error("database unavailable: %s", getattr(error, "orig", None) or error)
    return _payload(503, "Service Unavailable", "the database is busy; retry shortly",
                    headers={"Retry-After": str(RETRY_AFTER)})


def _unhandled(error: Exception):
    if isinstance(error, HTTPException):
        return error
    session().rollback()
    log.exception("unhandled error")
    return _payload(500, "Internal Server Error", "an internal error occurred")


def _no_secret_key(error: SecretKeyError):
    # The operator's configuration, not the request: say what is missing, change nothing.
    session().rollback()
    log.error("secret settings unavailable: %s", error)
    return _payload(503, "Service Unavailable",
                    "secret settings are unavailable: the operator must set ZERENZHI_SECRET_KEYS")


def install_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(SecretKeyError, _no_secret_key)
    app.register_error_handler(IntegrityError, _integrity)
    app.register_error_handler(DataError, _data)
    app.register_error_handler(OperationalError, _unavailable)
    app.register_error_handler(PendingRollbackError, _unavailable)
    app.register_error_handler(DisconnectionError, _unavailable)
    app.register_error_handler(StatementError, _statement)
    app.register_error_handler(UnicodeEncodeError, _unencodable)
    app.register_error_handler(OverflowError, _overflow)
    app.register_error_handler(RecursionError, _too_deep)
    app.register_error_handler(Exception, _unhandled)
