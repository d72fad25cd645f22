"""W6's API: applications and their workflow steps. Core mounts ``blp`` at
``/api/v1/townships/<township>/approvals`` and answers 404 for townships that have not
enabled the module; the township is in context here, so no query mentions ``tenant_id``.

Organisers write only their own unit's applications (``require_unit_write``); deciding
needs ``approvals.application.decide`` (secretary, deputy) and filing
``approvals.application.file`` (secretary, deputy, office).
"""

from __future__ import annotations

from typing import NoReturn

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from zerenzhi import (
    SelectPage,
    current_identity,
    not_found,
    plugin_settings,
    render,
    require_unit_write,
    requires,
)
from zerenzhi import session as db_session
from zerenzhi.plugins.approvals import services
from zerenzhi.plugins.approvals.models import Application
from zerenzhi.plugins.approvals.rules import KINDS, STATUSES
from zerenzhi.plugins.approvals.schemas import (
    ApprovalsApplication,
    ApprovalsApplicationIn,
    ApprovalsApplicationPatch,
    ApprovalsCatalogue,
    ApprovalsDecisionIn,
    ApprovalsEmpty,
    ApprovalsFilingIn,
    ApprovalsOutcomeIn,
    ApprovalsQuery,
)

blp = Blueprint("approvals", __name__,
                description="Prior approval and filing of major activities (審批備案, W6)")


def _fail(error: services.ApprovalError) -> NoReturn:
    db_session().rollback()
    abort(error.status, message=error.message, errors={"json": {error.field: [error.message]}})


def _application_or_404(application_id) -> Application:
    application = db_session().scalar(select(Application).where(Application.id == application_id))
    if application is None:
        not_found()
    return application


def _organiser_only(application: Application) -> None:
    require_unit_write(application.organiser_unit_id)


def _commit(action, *args, **kwargs) -> Application:
    try:
        application = action(db_session(), *args, **kwargs)
    except services.ApprovalError as error:
        _fail(error)
    db_session().commit()
    return application


@blp.route("/catalogue")
class Catalogue(MethodView):
    @requires("approvals.application.read")
    @blp.response(200, ApprovalsCatalogue)
    def get(self):
        """Activity kinds and workflow states with their labels, and the notice period."""
        return {
            "kinds": [{"key": k, "label": render(v)} for k, v in KINDS.items()],
            "statuses": [{"key": k, "label": render(v)} for k, v in STATUSES.items()],
            "min_notice_days": plugin_settings("approvals")["min_notice_days"],
        }


@blp.route("/applications")
class Applications(MethodView):
    @requires("approvals.application.read")
    @blp.arguments(ApprovalsQuery, location="query")
    @blp.response(200, ApprovalsApplication(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Applications, by planned start (newest first); ``flag=late`` lists activities
        approved on or after their start (W6 not met)."""
        statement = select(Application).order_by(Application.starts_at.desc(), Application.id)
        if not query["include_archived"]:
            statement = statement.where(Application.archived_at.is_(None))
        for field in ("status", "kind", "organiser_unit_id"):
            if field in query:
                statement = statement.where(getattr(Application, field) == query[field])
        if query.get("flag") == "late":
            statement = statement.where(Application.approved_late.is_(True))
        elif query.get("flag") == "short_notice":
            statement = statement.where(Application.short_notice.is_(True))
        return statement

    @requires("approvals.application.write")
    @blp.arguments(ApprovalsApplicationIn)
    @blp.response(201, ApprovalsApplication)
    def post(self, data):
        """Draft an application for the organising unit (the caller's posts must reach it)."""
        require_unit_write(data["organiser_unit_id"])
        return _commit(services.create_application, **data)


@blp.route("/applications/<uuid:application_id>")
class ApplicationItem(MethodView):
    @requires("approvals.application.read")
    @blp.etag
    @blp.response(200, ApprovalsApplication)
    def get(self, application_id):
        """One application with its decision, filing and flags."""
        return _application_or_404(application_id)

    @requires("approvals.application.write")
    @blp.etag
    @blp.arguments(ApprovalsApplicationPatch)
    @blp.response(200, ApprovalsApplication)
    def patch(self, data, application_id):
        """Change a draft's details (send If-Match with its ETag)."""
        application = _application_or_404(application_id)
        blp.check_etag(application, ApprovalsApplication)
        _organiser_only(application)
        if "organiser_unit_id" in data:
            require_unit_write(data["organiser_unit_id"])
        return _commit(services.update_application, application, data)

    @requires("approvals.application.write")
    @blp.etag
    @blp.response(204)
    def delete(self, application_id):
        """Archive an application (kept, never deleted; it stops counting for W6)."""
        application = _application_or_404(application_id)
        blp.check_etag(application, ApprovalsApplication)
        _organiser_only(application)
        _commit(services.archive, application)


@blp.route("/applications/<uuid:application_id>/submit")
class Submit(MethodView):
    @requires("approvals.application.write")
    @blp.arguments(ApprovalsEmpty)
    @blp.response(200, ApprovalsApplication)
    def post(self, _data, application_id):
        """Submit to the committee: W6's deadline, the planned start, begins to run."""
        application = _application_or_404(application_id)
        _organiser_only(application)
        notice = plugin_settings("approvals")["min_notice_days"]
        return _commit(services.submit, application, min_notice_days=notice)


@blp.route("/applications/<uuid:application_id>/decision")
class Decision(MethodView):
    @requires("approvals.application.decide")
    @blp.arguments(ApprovalsDecisionIn)
    @blp.response(200, ApprovalsApplication)
    def post(self, data, application_id):
        """The committee's decision; an approval on or after the start is flagged late."""
        application = _application_or_404(application_id)
        if data.get("decided_by") is None:  # the leader recording it decided, by default
            identity = current_identity()
            data["decided_by"] = identity.user_id if identity else None
        return _commit(services.decide, application, **data)


@blp.route("/applications/<uuid:application_id>/filing")
class Filing(MethodView):
    @requires("approvals.application.file")
    @blp.arguments(ApprovalsFilingIn)
    @blp.response(200, ApprovalsApplication)
    def post(self, data, application_id):
        """File the approved activity with the higher level (again to correct the record)."""
        application = _application_or_404(application_id)
        return _commit(services.file_with_higher_level, application, **data)


@blp.route("/applications/<uuid:application_id>/outcome")
class Outcome(MethodView):
    @requires("approvals.application.write")
    @blp.arguments(ApprovalsOutcomeIn)
    @blp.response(200, ApprovalsApplication)
    def post(self, data, application_id):
        """The activity was held, or called off."""
        application = _application_or_404(application_id)
        _organiser_only(application)
        return _commit(services.record_outcome, application, **data)
