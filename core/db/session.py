"""Engine and session per app; the session of the current request or CLI command.

One ``Database`` per app (no module globals), reached through ``session()`` inside an
app context. Tenant scoping and auditing are installed on the session class here.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, g, has_app_context
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from core.tenancy.context import county_reads, current_tenant, on_tenant_change


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            raise ValueError("use a file database: each connection of :memory: is empty")
        engine = create_engine(url, poolclass=NullPool, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def rls_setting_sql(connection, tenant_id: uuid.UUID | None, name: str = "app.tenant_id") -> str:
    """``SET LOCAL app.tenant_id = <literal>`` built by psycopg, never by formatting."""
    from psycopg import sql

    value = str(uuid.UUID(str(tenant_id))) if tenant_id else ""
    statement = sql.SQL("SET LOCAL {} = {}").format(sql.SQL(name), sql.Literal(value))
    return statement.as_string(connection.connection.driver_connection)


def apply_rls_setting(connection, tenant_id: uuid.UUID | None) -> None:
    if connection.dialect.name == "postgresql":
        # one round trip for both settings (psycopg runs a parameterless multi-statement)
        connection.exec_driver_sql(
            rls_setting_sql(connection, tenant_id) + "; "
            + rls_setting_sql(connection, county_reads(), name="app.county_id"))


def _after_begin(session: Session, _transaction, connection) -> None:
    tenant = current_tenant()
    apply_rls_setting(connection, tenant.id if tenant else None)


class Database:
    """The app's engine and session factory."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        from core.audit.recorder import install_audit
        from core.db.scoping import install_scoping

        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.Session = sessionmaker(bind=self.engine, expire_on_commit=False)
        install_scoping(self.Session)
        install_audit(self.Session)
        event.listen(self.Session, "after_begin", _after_begin)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def session() -> Session:
    """The session of the current app context, opened on first use, closed at teardown."""
    sess = g.get("_zz_session")
    if sess is None:
        sess = current_app.extensions["zerenzhi"].db.Session()
        g._zz_session = sess
    return sess


def close_session(_exc: BaseException | None = None) -> None:
    sess = g.pop("_zz_session", None)
    if sess is not None:
        sess.close()


def _reapply_rls(tenant) -> None:
    """A tenant switch inside an open transaction re-sets the RLS variable at once."""
    if not has_app_context():
        return
    sess = g.get("_zz_session")
    if sess is None or not sess.in_transaction():
        return
    try:
        apply_rls_setting(sess.connection(), tenant.id if tenant else None)
    except SQLAlchemyError:
        # The transaction already failed; it can read nothing more and will be rolled back
        # (raising here would hide the error that failed it).
        return


on_tenant_change(_reapply_rls)
