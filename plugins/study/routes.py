"""The study API, mounted by core at ``/api/v1/townships/<township>/study``; requests for
townships that have not enabled the module answer 404 before any view runs."""

from __future__ import annotations

import datetime as dt

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from zerenzhi import (
    SelectPage,
    not_found,
    plugin_settings,
    require_unit_write,
    requires,
    session,
)
from zerenzhi.plugins.study import importer, plans, services
from zerenzhi.plugins.study.models import StudyPlan, StudySession
from zerenzhi.plugins.study.schemas import (
    StudyImportFile,
    StudyImportQuery,
    StudyImportResult,
    StudyPlanIn,
    StudyPlanOut,
    StudyPlanPatch,
    StudyPlanProgress,
    StudyPlanQuery,
    StudySessionIn,
    StudySessionOut,
    StudySessionPatch,
    StudySessionQuery,
)

blp = Blueprint("study", __name__,
                description="Theory study, special studies and training (學習管理; W2, W3, M5)")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fail(error: services.StudyError):
    session().rollback()
    abort(error.status, message=error.message, errors={"json": {error.field: [error.message]}})


def _settings() -> dict:
    return plugin_settings("study")


def _session_or_404(session_id) -> StudySession:
    row = session().scalar(select(StudySession).where(StudySession.id == session_id))
    if row is None:
        not_found()
    return row


def _plan_or_404(plan_id) -> StudyPlan:
    plan = session().scalar(select(StudyPlan).where(StudyPlan.id == plan_id))
    if plan is None:
        not_found()
    return plan


@blp.route("/sessions")
class Sessions(MethodView):
    @requires("study.session.read")
    @blp.arguments(StudySessionQuery, location="query")
    @blp.response(200, StudySessionOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The township's study sessions, newest first."""
        statement = select(StudySession).order_by(StudySession.held_on.desc(),
                                                  StudySession.id.desc())
        if not query["include_archived"]:
            statement = statement.where(StudySession.archived_at.is_(None))
        for name in ("unit_id", "kind", "ideology"):
            if name in query:
                statement = statement.where(getattr(StudySession, name) == query[name])
        if "year" in query:
            statement = statement.where(StudySession.held_on.between(
                dt.date(query["year"], 1, 1), dt.date(query["year"], 12, 31)))
        if "held_from" in query:
            statement = statement.where(StudySession.held_on >= query["held_from"])
        if "held_to" in query:
            statement = statement.where(StudySession.held_on <= query["held_to"])
        return statement

    @requires("study.session.write")
    @blp.arguments(StudySessionIn)
    @blp.response(201, StudySessionOut)
    def post(self, data):
        """Record a session; it counts toward W2/W3 in the same transaction."""
        require_unit_write(data["unit_id"])
        try:
            row = services.record_session(session(), data, _settings())
        except services.StudyError as error:
            _fail(error)
        session().commit()
        return row


@blp.route("/sessions/<uuid:session_id>")
class SessionItem(MethodView):
    @requires("study.session.read")
    @blp.etag
    @blp.response(200, StudySessionOut)
    def get(self, session_id):
        """One session with its attendance."""
        return _session_or_404(session_id)

    @requires("study.session.write")
    @blp.etag
    @blp.arguments(StudySessionPatch)
    @blp.response(200, StudySessionOut)
    def patch(self, data, session_id):
        """Change a session (If-Match); a new date, kind, tag or unit moves its ledger entries."""
        row = _session_or_404(session_id)
        blp.check_etag(row, StudySessionOut)
        require_unit_write(row.unit_id)
        try:
            services.update_session(session(), row, data, _settings())
        except services.StudyError as error:
            _fail(error)
        session().commit()
        return row

    @requires("study.session.write")
    @blp.etag
    @blp.response(204)
    def delete(self, session_id):
        """Archive a session (kept, never deleted; If-Match): it stops counting."""
        row = _session_or_404(session_id)
        blp.check_etag(row, StudySessionOut)
        require_unit_write(row.unit_id)
        services.archive_session(session(), row)
        session().commit()


@blp.route("/sessions/import")
class SessionImport(MethodView):
    @requires("study.session.import")
    @blp.arguments(StudyImportQuery, location="query")
    @blp.arguments(StudyImportFile, location="files")
    @blp.response(201, StudyImportResult)
    @blp.alt_response(200, schema=StudyImportResult, description="dry run: per-row results")
    def post(self, query, files):
        """Import sessions from the office's spreadsheet (xlsx, or CSV in UTF-8 / GB18030).

        Any bad row rejects the file (422, errors by row and column header) and nothing
        is written; a good file is written in one transaction with one audit entry.
        """
        upload = files["file"]
        filename = getattr(upload, "filename", "") or ""
        try:
            rows = importer.read_rows(upload.read(), filename)
        except importer.ImportFileError as error:
            abort(422, message=str(error), errors={"files": {"file": [str(error)]}})
        results = importer.check(session(), rows)
        bad = [r for r in results if r.errors]
        body = {"dry_run": query["dry_run"], "rows": len(results),
                "valid": len(results) - len(bad), "invalid": len(bad), "created": 0}
        if query["dry_run"]:
            session().rollback()
            return {**body, "results": [r.as_dict() for r in results]}, 200
        if bad:
            session().rollback()
            abort(422, message=f"{len(bad)} of {len(results)} rows have errors; nothing imported",
                  errors={"rows": {str(r.row): r.errors for r in bad}})
        try:
            body["created"] = importer.import_rows(session(), results, _settings(), filename)
        except services.StudyError as error:
            _fail(error)
        session().commit()
        return {**body, "results": [r.as_dict() for r in results]}


@blp.route("/sessions/import/template")
class SessionImportTemplate(MethodView):
    @requires("study.session.read")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX,
                  description="the xlsx template with Chinese headers")
    def get(self):
        """Download the import template (學習記錄導入模板.xlsx)."""
        return Response(importer.template(), mimetype=XLSX, headers={
            "Content-Disposition": "attachment; filename=study-import-template.xlsx; "
                                   "filename*=UTF-8''%E5%AD%B8%E7%BF%92%E8%A8%98%E9%8C%84.xlsx"})


@blp.route("/plans")
class Plans(MethodView):
    @requires("study.plan.read")
    @blp.arguments(StudyPlanQuery, location="query")
    @blp.response(200, StudyPlanOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Study plans, by year and unit."""
        statement = select(StudyPlan).order_by(StudyPlan.year.desc(), StudyPlan.id)
        if not query["include_archived"]:
            statement = statement.where(StudyPlan.archived_at.is_(None))
        for name in ("unit_id", "year"):
            if name in query:
                statement = statement.where(getattr(StudyPlan, name) == query[name])
        return statement

    @requires("study.plan.write")
    @blp.arguments(StudyPlanIn)
    @blp.response(201, StudyPlanOut)
    def post(self, data):
        """A unit's plan for a year: topics and planned dates (one live plan per year)."""
        require_unit_write(data["unit_id"])
        try:
            plan = plans.create_plan(session(), data)
        except services.StudyError as error:
            _fail(error)
        session().commit()
        return plan


@blp.route("/plans/<uuid:plan_id>")
class PlanItem(MethodView):
    @requires("study.plan.read")
    @blp.etag
    @blp.response(200, StudyPlanOut)
    def get(self, plan_id):
        """One plan."""
        return _plan_or_404(plan_id)

    @requires("study.plan.write")
    @blp.etag
    @blp.arguments(StudyPlanPatch)
    @blp.response(200, StudyPlanOut)
    def patch(self, data, plan_id):
        """Change a plan's title, year or items (If-Match)."""
        plan = _plan_or_404(plan_id)
        blp.check_etag(plan, StudyPlanOut)
        require_unit_write(plan.unit_id)
        try:
            plans.update_plan(session(), plan, data)
        except services.StudyError as error:
            _fail(error)
        session().commit()
        return plan

    @requires("study.plan.write")
    @blp.etag
    @blp.response(204)
    def delete(self, plan_id):
        """Archive a plan (If-Match)."""
        plan = _plan_or_404(plan_id)
        blp.check_etag(plan, StudyPlanOut)
        require_unit_write(plan.unit_id)
        plans.archive_plan(session(), plan)
        session().commit()


@blp.route("/plans/<uuid:plan_id>/progress")
class PlanProgress(MethodView):
    @requires("study.plan.read")
    @blp.response(200, StudyPlanProgress)
    def get(self, plan_id):
        """Planned against held, and the unit's study obligations for the year (W2, W3)."""
        plan = _plan_or_404(plan_id)
        result = plans.progress(session(), plan, _settings())
        session().commit()  # obligations are materialised on read
        return result
