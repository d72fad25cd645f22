"""The study API, mounted by core at ``/api/v1/townships/<township>/study``; requests for
townships that have not enabled the module answer 404 before any view runs. The paths keep
their published name ``sessions``: a study session is a ``StudyMeeting`` in the code."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import abort

from zerenzhi import (
    Blueprint,
    SelectPage,
    get_or_404,
    listed,
    plugin_settings,
    require_unit_write,
    requires,
    session,
    writing,
)
from zerenzhi.plugins.study import importer, plans, services
from zerenzhi.plugins.study.models import StudyMeeting, StudyPlan
from zerenzhi.plugins.study.schemas import (
    StudyImportFile,
    StudyImportQuery,
    StudyImportResult,
    StudyMeetingIn,
    StudyMeetingOut,
    StudyMeetingPatch,
    StudyMeetingQuery,
    StudyPlanIn,
    StudyPlanOut,
    StudyPlanPatch,
    StudyPlanProgress,
    StudyPlanQuery,
)

blp = Blueprint("study", __name__,
                description="Theory study, special studies and training (學習管理; W2, W3, M5)")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _settings() -> dict:
    return plugin_settings("study")


def _shown(row: StudyMeeting) -> dict:
    """One meeting as the API shows it: the same as in a list."""
    return services.shown(session(), [row], _settings())[0]


def _editable(model: Any, record_id: uuid.UUID, schema: Any,
              shown: Callable[[Any], dict] | None = None) -> Any:
    """The record, once the client's If-Match is current (the ETag of what it was shown) and
    the record's unit is in the caller's scope."""
    row = get_or_404(model, record_id)
    blp.check_etag(shown(row) if shown else row, schema)
    require_unit_write(row.unit_id)
    return row


class MeetingPage(SelectPage):
    """A page of meetings as the API shows them, computed for the whole page at once."""

    @property
    def items(self) -> list[dict]:
        return services.shown(session(), super().items, _settings())


@blp.route("/sessions")
class Sessions(MethodView):
    @requires("study.session.read")
    @blp.arguments(StudyMeetingQuery, location="query")
    @blp.response(200, StudyMeetingOut(many=True))
    @blp.paginate(MeetingPage)
    def get(self, query):
        """The township's study sessions, newest first."""
        return services.meetings(query)

    @requires("study.session.write")
    @blp.arguments(StudyMeetingIn)
    @blp.response(201, StudyMeetingOut)
    def post(self, data):
        """Record a session; it counts toward W2/W3 in the same transaction."""
        require_unit_write(data["unit_id"])
        with writing() as db:
            return _shown(services.record_meeting(db, data, _settings()))


@blp.route("/sessions/<uuid:session_id>")
class SessionItem(MethodView):
    @requires("study.session.read")
    @blp.etag
    @blp.response(200, StudyMeetingOut)
    def get(self, session_id):
        """One session with its attendance."""
        return _shown(get_or_404(StudyMeeting, session_id))

    @requires("study.session.write")
    @blp.etag
    @blp.arguments(StudyMeetingPatch)
    @blp.response(200, StudyMeetingOut)
    def patch(self, data, session_id):
        """Change a session (If-Match); a new date, kind, tag or unit moves its ledger entries."""
        row = _editable(StudyMeeting, session_id, StudyMeetingOut, _shown)
        with writing() as db:
            return _shown(services.update_meeting(db, row, data, _settings()))

    @requires("study.session.write")
    @blp.etag
    @blp.response(204)
    def delete(self, session_id):
        """Archive a session (kept, never deleted; If-Match): it stops counting."""
        row = _editable(StudyMeeting, session_id, StudyMeetingOut, _shown)
        with writing() as db:
            services.archive_meeting(db, row)


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
        is written; a good file is written in one transaction with one audit entry. A row
        repeating a session (same unit, date and title) is a warning in the dry run and
        refuses the file, or is skipped with ``duplicates=skip``.
        """
        with writing() as db:
            body = importer.run(db, files["file"], _settings(), dry_run=query["dry_run"],
                                duplicates=query["duplicates"])
        if refused := importer.refusal(body):
            abort(422, **refused)
        return body, 200 if body["dry_run"] else 201


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
        return listed(StudyPlan, query, match=("unit_id", "year"),
                      order_by=(StudyPlan.year.desc(), StudyPlan.id))

    @requires("study.plan.write")
    @blp.arguments(StudyPlanIn)
    @blp.response(201, StudyPlanOut)
    def post(self, data):
        """A unit's plan for a year: topics and planned dates (one live plan per year)."""
        require_unit_write(data["unit_id"])
        with writing() as db:
            return plans.create_plan(db, data)


@blp.route("/plans/<uuid:plan_id>")
class PlanItem(MethodView):
    @requires("study.plan.read")
    @blp.etag
    @blp.response(200, StudyPlanOut)
    def get(self, plan_id):
        """One plan."""
        return get_or_404(StudyPlan, plan_id)

    @requires("study.plan.write")
    @blp.etag
    @blp.arguments(StudyPlanPatch)
    @blp.response(200, StudyPlanOut)
    def patch(self, data, plan_id):
        """Change a plan's title, year or items (If-Match)."""
        plan = _editable(StudyPlan, plan_id, StudyPlanOut)
        with writing() as db:
            return plans.update_plan(db, plan, data)

    @requires("study.plan.write")
    @blp.etag
    @blp.response(204)
    def delete(self, plan_id):
        """Archive a plan (If-Match)."""
        plan = _editable(StudyPlan, plan_id, StudyPlanOut)
        with writing() as db:
            plans.archive_plan(db, plan)


@blp.route("/plans/<uuid:plan_id>/progress")
class PlanProgress(MethodView):
    @requires("study.plan.read")
    @blp.response(200, StudyPlanProgress)
    def get(self, plan_id):
        """Planned against held, and the unit's study obligations for the year (W2, W3)."""
        plan = get_or_404(StudyPlan, plan_id)
        with writing() as db:  # obligations are materialised on read
            return plans.progress(db, plan, _settings())
