"""Throw-away PostgreSQL cluster for the test session.

Tests must run against real PostgreSQL (row-level security, grants) rather than SQLite, yet
must not depend on a shared server. This module ``initdb``s a private cluster in a short temp
dir, listening on a Unix socket only, with durability switched off for speed, and provisions
the two roles the application uses:

* ``zz_owner`` owns the database and its ``public`` schema and runs migrations;
* ``zz_app`` is what the application connects as: not superuser, no BYPASSRLS, owns nothing
  and has no DELETE, so RLS and missing privileges are enforced exactly as in production.

No pytest import: usable from conftest fixtures or by hand::

    with PgCluster() as pg:
        engine = sqlalchemy.create_engine(pg.app_url)
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import psycopg
from psycopg import sql

__all__ = [
    "APP_ROLE",
    "DEFAULT_DB",
    "OWNER_ROLE",
    "SUPERUSER",
    "CitusCluster",
    "PgCluster",
    "citus_available",
    "distribute",
    "find_pg_bindir",
]

OWNER_ROLE = "zz_owner"
APP_ROLE = "zz_app"
DEFAULT_DB = "zerenzhi"
SUPERUSER = "postgres"
"""Bootstrap superuser name, fixed so it does not depend on who runs the tests."""

_PG_ROOT = Path("/usr/lib/postgresql")
_TOOLS = ("initdb", "pg_ctl", "postgres")
_SYSTEM_USER = "postgres"  # initdb refuses to run as root; CI runs as root.
_SOCKET_PATH_MAX = 107  # sun_path limit, including "/.s.PGSQL.<port>.lock"
_SETTINGS = {
    "listen_addresses": "''",  # Unix socket only: no port clashes, nothing exposed.
    # Crash safety is irrelevant for a cluster deleted at the end of the run.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def _has_tools(bindir: Path) -> bool:
    return all(os.access(bindir / tool, os.X_OK) for tool in _TOOLS)


def _version_key(bindir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def find_pg_bindir() -> Path | None:
    """Return the newest PostgreSQL server ``bin`` dir, or None so callers can skip.

    ``ZERENZHI_PG_BINDIR`` overrides the search (None if it lacks the tools); otherwise the
    Debian layout ``/usr/lib/postgresql/<version>/bin`` is scanned.
    """
    override = os.environ.get("ZERENZHI_PG_BINDIR")
    if override:
        path = Path(override)
        return path if _has_tools(path) else None
    if not _PG_ROOT.is_dir():
        return None
    candidates = [v / "bin" for v in _PG_ROOT.iterdir() if _has_tools(v / "bin")]
    return max(candidates, key=_version_key, default=None)


def _free_port() -> int:
    # Only names the socket file; picking a free TCP port just avoids confusing humans.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_env() -> dict[str, str]:
    # Stray PGDATA/PGHOST/PGOPTIONS from the caller must not redirect our tools.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


class PgCluster:
    """A private PostgreSQL cluster living in a temp dir; see the module docstring.

    ``socket_dir``, ``port``, ``owner_url`` and ``app_url`` are set by :meth:`start`.
    """

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or find_pg_bindir()
        if found is None:
            raise RuntimeError(
                "PostgreSQL server binaries not found (install Debian's 'postgresql' "
                "package or set ZERENZHI_PG_BINDIR)"
            )
        self.bindir: Path = found
        self.socket_dir: str = ""
        self.port: int = 0
        self.owner_url: str = ""
        self.app_url: str = ""
        self._base: Path | None = None
        self._prefix: list[str] = []

    # -- public API -------------------------------------------------------------------------

    def start(self) -> Self:
        """Create, start and provision the cluster; RuntimeError (with log tail) on failure."""
        if self._base is not None:
            raise RuntimeError("cluster already started")
        tmp_root = "/tmp" if os.path.isdir("/tmp") else None  # short path for the socket
        base = Path(tempfile.mkdtemp(prefix="zzpg-", dir=tmp_root))
        self._base = base
        atexit.register(self.stop)  # safety net if the caller never stops us
        try:
            self._boot(base)
        except Exception as exc:
            detail = str(exc)
            if isinstance(exc, subprocess.CalledProcessError):
                detail += f"\n{exc.stdout or ''}{exc.stderr or ''}".rstrip()
            tail = self._log_tail(base)
            self.stop()
            raise RuntimeError(
                f"could not start test PostgreSQL cluster: {detail}\n"
                f"--- server log tail ({base / 'server.log'}) ---\n{tail}"
            ) from exc
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Kill the server (immediate mode: nothing to keep) and delete its directory.

        Idempotent and never raises, so it is safe from ``atexit`` and ``finally`` blocks.
        """
        base, self._base = self._base, None
        if base is None:
            return
        atexit.unregister(self.stop)
        try:
            for data in sorted(base.glob("*data")):
                self._stop_node(base, data)
        finally:
            shutil.rmtree(base, ignore_errors=True)

    def _stop_node(self, base: Path, data: Path) -> None:
        try:
            if (data / "postmaster.pid").exists():
                proc = self._run(
                    "pg_ctl",
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                    check=False,
                    cwd=base,
                )
                if proc.returncode != 0:
                    self._kill_postmaster(data)
        except (OSError, subprocess.SubprocessError):
            self._kill_postmaster(data)

    def url(self, role: str, dbname: str = DEFAULT_DB) -> str:
        """SQLAlchemy URL connecting as ``role`` to ``dbname`` over the Unix socket."""
        return (
            f"postgresql+psycopg://{quote(role, safe='')}@/{quote(dbname, safe='')}"
            f"?host={quote(self.socket_dir, safe='/')}&port={self.port}"
        )

    def create_database(self, name: str) -> tuple[str, str]:
        """Create an empty database provisioned like the default one (e.g. for migration tests).

        Returns ``(owner_url, app_url)``.
        """
        if self._base is None:
            raise RuntimeError("cluster not started")
        self._provision_database(name)
        return self.url(OWNER_ROLE, name), self.url(APP_ROLE, name)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals --------------------------------------------------------------------------

    def _boot(self, base: Path) -> None:
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam(_SYSTEM_USER)
            except KeyError:
                raise RuntimeError(
                    f"running as root requires the '{_SYSTEM_USER}' system user "
                    "(created by Debian's postgresql package)"
                ) from None
            os.chown(base, pw.pw_uid, pw.pw_gid)
            self._prefix = ["runuser", "-u", _SYSTEM_USER, "--"]
        self.port = _free_port()
        self.socket_dir = str(base)
        if len(f"{base}/.s.PGSQL.{self.port}.lock".encode()) > _SOCKET_PATH_MAX:
            raise RuntimeError(f"socket path too long under {base}")

        self._start_node(base, base / "data", self.port, {})

        with self._connect("postgres") as conn:
            conn.execute(
                f"CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
            )
            conn.execute(
                f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            )
        self._provision_database(DEFAULT_DB)
        self.owner_url = self.url(OWNER_ROLE)
        self.app_url = self.url(APP_ROLE)

    def _start_node(self, base: Path, data: Path, port: int, extra: dict[str, str]) -> None:
        """initdb and start one server in ``data`` on ``port`` (its socket in ``base``)."""
        self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        settings = {**_SETTINGS, "port": str(port), "unix_socket_directories": f"'{base}'",
                    **extra}
        with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# zerenzhi test cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        # -l redirects the postmaster's stdio, so capture_output does not wait on it;
        # a new session keeps the terminal's Ctrl-C from killing the server under us.
        self._run(
            "pg_ctl",
            "-D",
            str(data),
            "-l",
            str(base / ("server.log" if data.name == "data" else f"{data.name}.log")),
            "-w",
            "-t",
            "60",
            "start",
            start_new_session=True,
        )

    def _provision_database(self, name: str, port: int | None = None) -> None:
        db = sql.Identifier(name)
        with self._connect("postgres", port=port) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(db, sql.Identifier(OWNER_ROLE))
            )
            # Only the roles we grant may connect, as in production.
            conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db))
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, sql.Identifier(APP_ROLE))
            )
        with self._connect(name, port=port) as conn:
            # Explicit for PostgreSQL < 15, where PUBLIC may CREATE in public.
            conn.execute(f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}")
            conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
            conn.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
            # Tables created later by migrations (as zz_owner) become usable by zz_app;
            # no DELETE: records are archived, never deleted.
            conn.execute(f"SET ROLE {OWNER_ROLE}")
            conn.execute(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA public "
                f"GRANT SELECT, INSERT, UPDATE ON TABLES TO {APP_ROLE}"
            )
            conn.execute(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA public "
                f"GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}"
            )

    def _connect(self, dbname: str, user: str = SUPERUSER,
                 port: int | None = None) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=self.socket_dir,
            port=port or self.port,
            dbname=dbname,
            user=user,
            autocommit=True,
            connect_timeout=10,
        )

    def _run(
        self,
        tool: str,
        *args: str,
        check: bool = True,
        cwd: Path | None = None,
        start_new_session: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        # cwd must be readable by the postgres user (root's cwd often is not).
        return subprocess.run(
            [*self._prefix, str(self.bindir / tool), *args],
            check=check,
            capture_output=True,
            text=True,
            env=_clean_env(),
            cwd=cwd or self._base,
            start_new_session=start_new_session,
        )

    @staticmethod
    def _kill_postmaster(data: Path) -> None:
        # Last resort when pg_ctl failed: SIGQUIT is what immediate shutdown sends.
        try:
            pid = int((data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGQUIT)
        except (OSError, ValueError, IndexError):
            pass

    @staticmethod
    def _log_tail(base: Path, lines: int = 40) -> str:
        try:
            text = (base / "server.log").read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def citus_available(bindir: Path | None = None) -> bool:
    """Whether the PostgreSQL found has the Citus extension installed (``citus.so`` and its
    control file), so a ``CitusCluster`` can start."""
    found = bindir or find_pg_bindir()
    if found is None:
        return False
    share = Path("/usr/share/postgresql") / found.parent.name / "extension" / "citus.control"
    return (found.parent / "lib" / "citus.so").exists() and share.exists()


class CitusCluster(PgCluster):
    """A Citus cluster in one temp dir: a coordinator (what the URLs name) and ``workers``
    workers, each its own server on loopback (Citus connects to its nodes over TCP).

    Every database is made on every node with the extension, the coordinator's metadata
    names the workers, and nothing is distributed: that is ``zerenzhi db distribute``'s
    job, run by the caller after migrating. ``shard_count`` (``citus.shard_count`` on the
    coordinator) is small by default: a test database's DDL reaches every shard, and two
    shards per worker exercise the same fan-out as thirty-two.
    """

    def __init__(self, bindir: Path | None = None, workers: int = 2, shard_count: int = 4
                 ) -> None:
        super().__init__(bindir)
        self.workers = workers
        self.shard_count = shard_count
        self.worker_ports: list[int] = []

    def _start_node(self, base: Path, data: Path, port: int, extra: dict[str, str]) -> None:
        citus = {"shared_preload_libraries": "'citus'", "listen_addresses": "'127.0.0.1'",
                 "max_connections": "300", "citus.shard_count": str(self.shard_count),
                 # a test database's DDL on every shard: sequential keeps it to one
                 # connection per worker and well inside max_connections
                 "max_worker_processes": "16", **extra}
        super()._start_node(base, data, port, citus)

    def _boot(self, base: Path) -> None:
        self.worker_ports = []
        for index in range(self.workers):
            port = _free_port()
            self.worker_ports.append(port)
            # started before the coordinator: _provision_database reaches every node
            self._prepare_prefix(base)
            self._start_node(base, base / f"w{index}data", port, {})
            with self._connect("postgres", port=port) as conn:
                conn.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER NOCREATEDB "
                             f"NOCREATEROLE NOBYPASSRLS")
                conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
                             f"NOCREATEROLE")
        super()._boot(base)

    def _prepare_prefix(self, base: Path) -> None:
        if os.geteuid() == 0 and not self._prefix:
            pw = pwd.getpwnam(_SYSTEM_USER)
            os.chown(base, pw.pw_uid, pw.pw_gid)
            self._prefix = ["runuser", "-u", _SYSTEM_USER, "--"]
        self.socket_dir = str(base)

    def _provision_database(self, name: str, port: int | None = None) -> None:
        for worker in self.worker_ports:
            super()._provision_database(name, port=worker)
            with self._connect(name, port=worker) as conn:
                conn.execute("CREATE EXTENSION citus")
        super()._provision_database(name)
        with self._connect(name) as conn:
            conn.execute("CREATE EXTENSION citus")
            conn.execute("SELECT citus_set_coordinator_host('127.0.0.1', %s)", (self.port,))
            for worker in self.worker_ports:
                conn.execute("SELECT citus_add_node('127.0.0.1', %s)", (worker,))


def distribute(owner_url: str, app_role: str | None) -> Any:
    """What ``zerenzhi db distribute`` does, on the database at ``owner_url`` (the test
    fixtures' and the bench's clusters); returns its ``Distribution``, and raises
    AssertionError on any shard out of step."""
    from zerenzhi.db import citus
    from zerenzhi.db.session import make_engine

    engine = make_engine(owner_url)
    try:
        with engine.connect() as connection:
            done = citus.distribute(connection, app_role)
            connection.commit()
            problems = citus.shard_problems(connection, app_role)
    finally:
        engine.dispose()
    if problems:
        raise AssertionError(f"shards out of step: {problems}")
    return done
