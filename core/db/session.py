"""Engine and session per app; the session of the current request or CLI command.

One ``Database`` per app (no module globals), reached through ``session()`` inside an
app context. The RLS settings listener is defined here (``install_rls``); it, tenant
scoping and auditing are installed on the engine and session class by ``create_app``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app, g
from sqlalchemy import (
    URL,
    CompoundSelect,
    Connection,
    Engine,
    Select,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from zerenzhi.tenancy.context import CountyReads, county_reads_scope, current_tenant


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


URL_FORMS = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/NAME"
DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}


class DatabaseUrlError(ValueError):
    """A database URL the app cannot use (driver, or a SQLite file's folder): one line."""


class DatabaseMissing(RuntimeError):
    """The SQLite file does not exist and this engine may not create it: the database was
    never migrated (``zerenzhi db upgrade`` creates it)."""


def check_url(url: str) -> URL:
    """The parsed URL if its backend and driver are ones the app supports, before any
    driver is imported (an unknown one otherwise fails deep inside SQLAlchemy)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(f"not a database URL: {url!r} (use {URL_FORMS})") from None
    name = parsed.drivername
    backend, _, driver = name.partition("+")
    if backend not in DRIVERS or driver not in ("", DRIVERS[backend]):
        raise DatabaseUrlError(f"unsupported database URL scheme {name + '://'!r} "
                               f"(use {URL_FORMS})")
    if backend == "sqlite" and (not parsed.database or parsed.database == ":memory:"
                                or parsed.query.get("mode") == "memory"):
        raise DatabaseUrlError("use a SQLite file database: each connection of :memory: is "
                               "empty")
    return parsed


def _sqlite_file(path: Path, create: bool):
    """Before SQLite connects (and so creates the file): a missing file is created only when
    ``create`` (migrations), with at most its own folder (``instance/`` under the working
    directory), never a whole path; a folder whose parent is missing is a wrong URL."""

    def check(_dialect, _record, _cargs, _cparams) -> None:
        if path.exists():
            return
        folder = path.parent
        if not folder.parent.is_dir():
            raise DatabaseUrlError(f"no folder {folder} for the SQLite database {path}")
        if not create:
            raise DatabaseMissing(f"no database at {path}")
        folder.mkdir(exist_ok=True)

    return check


def make_engine(url: str, *, create: bool = True, **kwargs: Any) -> Engine:
    """An engine for ``url``; ``create=False`` (the app's) never creates a SQLite file."""
    parsed = check_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, poolclass=NullPool, **kwargs)
        if not parsed.query.get("uri"):  # a file: URI names its file its own way
            path = Path(parsed.database).expanduser().absolute()
            event.listen(engine, "do_connect", _sqlite_file(path, create))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


RLS_STATE = "zz_rls"  # key in the DBAPI connection's info: what SET LOCAL set this transaction
_UNSET: tuple[uuid.UUID | None, CountyReads | None] = (None, None)
_ROLLBACK_TO = "rollback to savepoint"  # state while that statement is on its way
READ_ONLY = "zz_read_only"  # connection info: this transaction has only read (reads_only)
_CONNECTION = "zz_connection"  # session info: the connection of its latest transaction

_TOWNSHIPS_SQL = "SELECT id FROM tenant WHERE county_id = %s ORDER BY id"


def county_townships(reads: CountyReads, dbapi_connection: Any) -> tuple[uuid.UUID, ...]:
    """The ids of the county's townships (every tenant whose county it is), looked up once
    per county read scope on the scope's first statement, for the ORM's criteria on
    PostgreSQL: a list Citus prunes shards on (decision 0029). ``dbapi_connection`` is
    psycopg's.

    On the DBAPI connection, so the lookup fires no SQLAlchemy event: it runs from inside the
    scoping listener, which would otherwise see it and ask for the list again.
    """
    if reads.townships is None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(_TOWNSHIPS_SQL, (reads.county_id,))
            reads.townships = tuple(row[0] for row in cursor.fetchall())
        finally:
            cursor.close()
    return reads.townships


def _wanted() -> tuple[uuid.UUID | None, CountyReads | None]:
    """(tenant, county read scope) that ``app.tenant_id``/``app.county_id`` must hold now."""
    tenant = current_tenant()
    return (tenant.id if tenant is not None else None, county_reads_scope())


# A county read scope serves roll-ups over many townships: at PostgreSQL's default 4 MB a
# province's grouping sorts spill to disk, and JIT compiling costs ~100 ms that these scans
# never win back (bench/README.md). Sent with the RLS settings, so they cost no round trip.
COUNTY_READ_SETTINGS = {"jit": "off", "work_mem": "32MB"}
_COUNTY_READ_SQL = "; ".join(f"SET LOCAL {name} = '{value}'"
                             for name, value in COUNTY_READ_SETTINGS.items())


@lru_cache(maxsize=4096)
def rls_settings_sql(tenant_id: uuid.UUID | None, county_id: uuid.UUID | None) -> str:
    """Both ``SET LOCAL``s as one statement (one round trip), the literals built by psycopg
    from validated UUIDs, never by formatting; in a county read scope, with
    ``COUNTY_READ_SETTINGS``. Cached: the text depends only on the ids."""
    from psycopg import sql  # lazy: only PostgreSQL gets here, SQLite runs never load psycopg

    def literal(value: uuid.UUID | None) -> sql.Literal:
        return sql.Literal(str(uuid.UUID(str(value))) if value else "")

    statement = sql.SQL("SET LOCAL app.tenant_id = {}; SET LOCAL app.county_id = {}").format(
        literal(tenant_id), literal(county_id)).as_string(None)
    return f"{statement}; {_COUNTY_READ_SQL}" if county_id else statement


def _rls_begin(conn: Connection) -> None:
    """A transaction starts with both settings empty (the app only ever uses ``SET LOCAL``)
    and, so far, having only read."""
    conn.info[RLS_STATE] = _UNSET
    conn.info[READ_ONLY] = True


def _rls_unknown(conn: Connection) -> None:
    """After the transaction ends, what was set is gone: the next one starts afresh."""
    conn.info.pop(RLS_STATE, None)
    conn.info.pop(READ_ONLY, None)


# Inside a read's SQL, what makes it more than a read: a data-modifying statement in a WITH
# (PostgreSQL requires its body in parentheses: ``AS (UPDATE …)``, ``AS MATERIALIZED (…)``),
# a row lock, or SELECT … INTO (which creates a table). Matched on the SQL sent, in any case;
# a false match (the words inside a string literal) only costs a ROLLBACK.
_NOT_ONLY_READ = re.compile(
    r"\(\s*(?:INSERT|UPDATE|DELETE|MERGE)\b|\bFOR\s+(?:NO\s+KEY\s+)?UPDATE\b"
    r"|\bFOR\s+(?:KEY\s+)?SHARE\b|\bINTO\b", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _only_reads_sql(statement: str) -> bool:
    """The SQL text holds no data-modifying CTE, row lock or SELECT … INTO. Cached: the
    app sends the same few hundred texts over and over (the status query is 3 kB)."""
    return _NOT_ONLY_READ.search(statement) is None


def reads_only(statement: str, context: Any) -> bool:
    """Whether a statement only reads, so that a transaction of such statements may end in
    COMMIT (``close_session``): a plain ``SELECT``, or a ``WITH … SELECT`` that SQLAlchemy
    compiled from a ``Select`` (its top-level statement is a query, not DML — a CTE, so
    text alone cannot tell ``WITH x AS (…) SELECT`` from ``WITH x AS (…) UPDATE``), and in
    either case no data-modifying CTE, row lock or ``SELECT … INTO`` in its text.

    Everything else is a write: INSERT/UPDATE/DELETE (with RETURNING or not), SAVEPOINT,
    SET, DDL, and any ``WITH`` written as text. When in doubt it says write: a write taken
    for a read would be committed by a GET, a read taken for a write only costs the
    prepared statements of one request. A function with side effects called from a SELECT
    (``SELECT nextval(…)``) is not seen; the app's only such call, ``pg_advisory_xact_lock``
    (jobs, the audit chain), holds a lock that COMMIT and ROLLBACK release alike.
    """
    if statement.startswith("SELECT"):
        return _only_reads_sql(statement)
    if statement.startswith("WITH"):
        compiled = getattr(context, "compiled", None)
        return (compiled is not None and isinstance(compiled.statement, (Select, CompoundSelect))
                and not (compiled.isinsert or compiled.isupdate or compiled.isdelete)
                and _only_reads_sql(statement))
    return False


def _note_writes(conn: Connection, _cursor, statement: str, _parameters, context,
                 _executemany) -> None:
    """A statement that does more than read marks the transaction as a write
    (``reads_only``): it then ends in ROLLBACK unless its code committed it."""
    if conn.info.get(READ_ONLY) and not reads_only(statement, context):
        conn.info[READ_ONLY] = False


def _rls_savepoint_rollback(conn: Connection, *_args: Any) -> None:
    """``ROLLBACK TO SAVEPOINT`` undoes the ``SET LOCAL``s made since the savepoint: once it
    has run (it is the next statement), what is set is no longer known."""
    conn.info[RLS_STATE] = _ROLLBACK_TO


def _rls_before_execute(conn: Connection, cursor, statement: str, _parameters, _context,
                        _executemany) -> None:
    """Make RLS match the tenant context before every statement, sending ``SET LOCAL`` only
    when the transaction's settings differ from the context (one round trip for both).

    Lazily, here, rather than eagerly on every context switch: a scope that ends with its
    transaction, or a teardown just before the session closes, costs nothing, and the
    settings can never lag the context a statement runs in (savepoint rollbacks included).
    """
    wanted = _wanted()
    info = conn.info
    state = info.get(RLS_STATE)
    if state == wanted:
        return
    if state is _ROLLBACK_TO:
        del info[RLS_STATE]  # unknown from now on: the next statement sets it
        if statement.startswith("ROLLBACK TO SAVEPOINT"):
            return
    info.pop(RLS_STATE, None)  # if the SET fails, nothing is assumed
    tenant_id, reads = wanted
    cursor.connection.execute(rls_settings_sql(tenant_id, reads and reads.county_id))
    info[RLS_STATE] = wanted


def install_rls(engine: Engine) -> None:
    """On PostgreSQL, keep ``app.tenant_id``/``app.county_id`` equal to the tenant context."""
    if engine.dialect.name != "postgresql":
        return
    event.listen(engine, "begin", _rls_begin)
    event.listen(engine, "commit", _rls_unknown)
    event.listen(engine, "rollback", _rls_unknown)
    event.listen(engine, "rollback_savepoint", _rls_savepoint_rollback)
    event.listen(engine, "before_cursor_execute", _rls_before_execute)
    event.listen(engine, "before_cursor_execute", _note_writes)


class Database:
    """The app's engine and session factory. The listeners that scope, audit and count
    (``install_scoping``, ``install_audit``, ``install_tally``) and ``install_rls`` are put
    on them by ``create_app``, which knows every layer; only the bookkeeping
    ``close_session`` reads is installed here."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, create=False, **engine_kwargs)
        self.Session = sessionmaker(bind=self.engine, expire_on_commit=False)
        event.listen(self.Session, "after_begin", _remember_connection)

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


def _remember_connection(session: Session, _transaction, connection: Connection) -> None:
    session.info[_CONNECTION] = connection


def _only_read(sess: Session) -> bool:
    """The session's transaction only read (``reads_only``) and holds no unflushed changes."""
    if sess.get_transaction() is None or sess.in_nested_transaction() \
            or sess.new or sess.dirty or sess.deleted:
        return False
    connection = sess.info.get(_CONNECTION)
    return (connection is not None and not connection.closed
            and connection.info.get(READ_ONLY) is True)


def close_session(exc: BaseException | None = None) -> None:
    """Close the app context's session. A transaction that only read ends with COMMIT, not
    the ROLLBACK ``close()`` sends: the same for the data, but psycopg drops its prepared
    statements on every ROLLBACK, so each request's statements would be parsed and planned
    anew. Anything else (a write, an error) is rolled back as before."""
    sess = g.pop("_zz_session", None)
    if sess is None:
        return
    try:
        if exc is None and _only_read(sess):
            sess.commit()
    finally:
        sess.close()


def write_lock(sess: Session) -> None:
    """On SQLite, take the database's write lock now, before reading what a write depends on.

    Python's sqlite3 sends a deferred ``BEGIN`` only before the first INSERT/UPDATE/DELETE,
    so the reads before it run outside any transaction and a concurrent writer may commit
    between them and the write (measured: four gunicorn workers given one ETag all passed the
    check and overwrote each other). ``BEGIN IMMEDIATE`` waits (``busy_timeout``) for the
    other writer to finish and makes the reads that follow see its commit; the lock is held
    until this transaction ends. A transaction already open began with a write (sqlite3 opens
    none for reads), so holds the lock already.
    On PostgreSQL nothing happens here: the caller locks the rows it reads (``FOR UPDATE``).
    """
    connection = sess.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection \
            .in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def writing() -> Iterator[Session]:
    """One write of a request, command or job: yields the tenant-scoped session, commits when
    the block ends and rolls back on any error, which then propagates (a ``DomainError``
    becomes a 4xx with field errors). Nothing half-written survives a rejected change.

    Views return from inside the block; the commit runs before the response is dumped (the
    session keeps loaded values after commit, ``expire_on_commit=False``)::

        with writing() as db:
            return services.record_meeting(db, data)
    """
    db = session()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
