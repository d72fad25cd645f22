"""Issue 17, defect 8: a database restart is a 503 with Retry-After, never a 500, and the
app recovers by itself on the request after (the session rolled back, the pool renewed).

PostgreSQL only: the restart is simulated by terminating the app's server processes
(``pg_terminate_backend``), which only a superuser may do to another role's backends."""

from __future__ import annotations

import contextlib

import psycopg
import pytest
from sqlalchemy import event


@pytest.fixture
def superuser(zz_backend, zz_databases):
    if zz_backend == "sqlite":
        pytest.skip("a server restart is a PostgreSQL matter")
    from zerenzhi.testing_pg import DEFAULT_DB, SUPERUSER

    url = zz_databases.server(zz_backend).url(SUPERUSER, DEFAULT_DB).replace("+psycopg", "")
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn


def terminate(superuser, pid: int | None = None) -> int:
    """End the app role's backends (or one of them); how many were ended."""
    rows = superuser.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE usename = 'zz_app' AND (%(pid)s::int IS NULL OR pid = %(pid)s::int)",
        {"pid": pid}).fetchall()
    return len(rows)


def assert_unavailable_or_ok(response) -> None:
    assert response.status_code in (200, 503), response.json
    if response.status_code == 503:
        assert int(response.headers["Retry-After"]) > 0
        assert response.json["code"] == 503


def test_backends_killed_between_requests(app, township, superuser):
    """The pool's idle connections died with the server: the next request reconnects (its
    pre-ping) or says 503; the one after succeeds."""
    client = township.client("secretary")
    units = f"{township.base}/units"
    client.get(units).assert_status(200)
    assert terminate(superuser) >= 1
    assert_unavailable_or_ok(client.get(units))
    client.get(units).assert_status(200)


@contextlib.contextmanager
def killed_mid_request(app, superuser, statement_start: str):
    """Terminate the backend of the first statement starting with ``statement_start``,
    just before it is sent: the server went away in the middle of a request."""
    engine = app.extensions["zerenzhi"].db.engine
    done = []

    def kill(conn, _cursor, statement, *_args) -> None:
        if not done and statement.startswith(statement_start):
            done.append(terminate(superuser, conn.connection.dbapi_connection.info.backend_pid))

    event.listen(engine, "before_cursor_execute", kill)
    try:
        yield done
    finally:
        event.remove(engine, "before_cursor_execute", kill)


@pytest.mark.parametrize("statement", ["SELECT", "INSERT"])
def test_backend_killed_mid_request_is_503_with_retry_after(app, township, superuser,
                                                            statement):
    client = township.client("all")
    body = {"code": "branch-9", "name": "第九黨支部", "kind": "branch",
            "parent_id": str(township.units["committee"])}
    with killed_mid_request(app, superuser, statement) as done:
        response = client.post(f"{township.base}/units", json=body)
    assert done == [1]
    response.assert_status(503)
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["code"] == 503
    client.get(f"{township.base}/units").assert_status(200)
    client.post(f"{township.base}/units", json=body).assert_status(201)  # nothing half-done
