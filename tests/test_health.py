"""The operator's probes (issue 17, defect 11): ``/healthz`` answers while the process
runs, ``/readyz`` only when the database answers and every lineage is at its head; both
without authentication and without tenant data."""

from __future__ import annotations

from sqlalchemy import text

from zerenzhi.testing import ApiClient


def test_healthz_answers_without_authentication(app):
    response = ApiClient(app).get("/healthz").assert_status(200)
    assert response.json == {"status": "ok"}


def test_readyz_is_ok_on_a_migrated_database(app):
    body = ApiClient(app).get("/readyz").assert_status(200).json
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok" and body["checks"]["migrations.core"] == "ok"
    assert set(body["checks"].values()) == {"ok"}


def test_readyz_is_503_naming_the_lineage_behind(app, monkeypatch):
    from zerenzhi.routes import health

    monkeypatch.setattr(health, "lineages_behind",
                        lambda _connection, _plugins: {"core": "at 0008, head is 0009"})
    response = ApiClient(app).get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["migrations.core"] == "at 0008, head is 0009"


def test_readyz_is_503_when_the_database_does_not_answer(app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from zerenzhi.routes import health

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(health, "text", unreachable)
    response = ApiClient(app).get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "unreachable"}}


def test_lineages_behind_sees_a_database_at_an_older_revision(app):
    from zerenzhi.routes.health import lineages_behind

    engine = app.extensions["zerenzhi"].db.engine
    with engine.connect() as connection:
        assert lineages_behind(connection, app.extensions["zerenzhi"].plugins) == {}
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        behind = lineages_behind(connection, app.extensions["zerenzhi"].plugins)
        connection.rollback()
    assert set(behind) == {"core"} and behind["core"].startswith("at 0001, head is ")
