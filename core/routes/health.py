"""The operator's probes: ``/healthz`` (the process answers) and ``/readyz`` (it can serve:
the database answers and every migration lineage is at its head). Outside
authentication and tenancy, they name no tenant and show no tenant data.

``/readyz`` also says whether a scheduler (``zerenzhi worker``) beat lately: ``ok``,
``stale`` or ``absent``. That fails readiness only with ``ZERENZHI_READYZ_REQUIRES_SCHEDULER``
on: a web-only host is ready to serve whether or not the worker runs elsewhere, and a
load balancer must not take every web process out because the scheduler stopped
(decision 0015)."""

from __future__ import annotations

import marshmallow as ma
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.views import MethodView
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from zerenzhi import migrate
from zerenzhi.auth.permissions import PUBLIC, requires
from zerenzhi.db.session import session
from zerenzhi.jobs.runner import scheduler_state
from zerenzhi.routes.common import Blueprint

blp = Blueprint("health", __name__, description="Liveness and readiness probes (no tenant data)")


class HealthOut(ma.Schema):
    status = ma.fields.String(required=True, metadata={"description": "`ok` or `unavailable`"})
    checks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), metadata={
        "description": "readiness only: `database` and each lineage (and `scheduler` when "
                       "ZERENZHI_READYZ_REQUIRES_SCHEDULER is on), `ok` or what is wrong"})
    scheduler = ma.fields.String(metadata={
        "description": "readiness only: `ok` (a `zerenzhi worker` beat within 3 minutes), "
                       "`stale` or `absent`"})


def lineages_behind(connection: Connection, plugin_set) -> dict[str, str]:
    """Each migration lineage (core, then plugins) whose recorded heads are not its
    scripts' heads, with what the database records: a deploy that skipped
    ``zerenzhi db upgrade`` is not ready."""
    behind: dict[str, str] = {}
    for lineage in migrate.lineages(plugin_set):
        config = migrate.alembic_config(lineage, connection)
        wanted = set(ScriptDirectory.from_config(config).get_heads())
        context = MigrationContext.configure(
            connection, opts={"version_table": lineage.version_table})
        current = set(context.get_current_heads())
        if current != wanted:
            behind[lineage.name] = f"at {', '.join(sorted(current)) or 'base'}, " \
                                   f"head is {', '.join(sorted(wanted))}"
    return behind


def readiness() -> dict[str, str]:
    """The readiness checks, each ``ok`` or what failed (no error text: it could carry a
    connection string)."""
    try:
        connection = session().connection()
        connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return {"database": "unreachable"}
    checks = {"database": "ok"}
    try:
        behind = lineages_behind(connection, current_app.extensions["zerenzhi"].plugins)
    except SQLAlchemyError:
        return {**checks, "migrations": "cannot be read"}
    for lineage in migrate.lineages(current_app.extensions["zerenzhi"].plugins):
        checks[f"migrations.{lineage.name}"] = behind.get(lineage.name, "ok")
    return checks


def scheduler() -> str | None:
    """The scheduler's state, or None when it cannot be read (a schema behind, say)."""
    try:
        return scheduler_state(session())
    except SQLAlchemyError:
        session().rollback()
        return None


@blp.route("/healthz")
class Health(MethodView):
    @requires(PUBLIC)
    @blp.response(200, HealthOut)
    def get(self):
        """Liveness: the process answers (it touches nothing else)."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @requires(PUBLIC)
    @blp.response(200, HealthOut)
    @blp.alt_response(503, schema=HealthOut, description="a check failed; see `checks`")
    def get(self):
        """Readiness: the database answers and every migration lineage is at its head (and,
        if so configured, a scheduler beat lately)."""
        checks = readiness()
        body = {"checks": checks}
        if checks.get("database") == "ok":
            body["scheduler"] = scheduler() or "cannot be read"
            if current_app.config.get("READYZ_REQUIRES_SCHEDULER"):
                checks["scheduler"] = body["scheduler"]
        ready = all(value == "ok" for value in checks.values())
        return {"status": "ok" if ready else "unavailable", **body}, 200 if ready else 503
