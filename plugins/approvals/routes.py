"""W6's API: applications and their workflow steps. Core mounts ``blp`` at
``/api/v1/townships/<township>/approvals`` and answers 404 for townships that have not
enabled the module; the township is in context here, so no query mentions ``tenant_id``.

Organisers write only their own unit's applications (``require_unit_write``); deciding
needs ``approvals.application.decide`` (secretary, deputy) and filing
``approvals.application.file`` (secretary, deputy, office).
"""

from __future__ import annotations

from flask.views import MethodView

from zerenzhi import (
    Blueprint,
    SelectPage,
    current_identity,
    get_or_404,
    plugin_settings,
    render,
    require_unit_write,
    requires,
    writing,
)
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


def _organisers(application_id, *, etag: bool = False) -> Application:
    """The application, for its organising unit only ("whoever organises is responsible");
    with ``etag``, the If-Match is checked first."""
    application = get_or_404(Application, application_id)
    if etag:
        blp.check_etag(application, ApprovalsApplication)
    require_unit_write(application.organiser_unit_id)
    return application


def _caller_id():
    identity = current_identity()
    return identity.user_id if identity else None


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
        return services.applications(query)

    @requires("approvals.application.write")
    @blp.arguments(ApprovalsApplicationIn)
    @blp.response(201, ApprovalsApplication)
    def post(self, data):
        """Draft an application for the organising unit (the caller's posts must reach it)."""
        require_unit_write(data["organiser_unit_id"])
        with writing() as db:
            return services.create_application(db, **data)


@blp.route("/applications/<uuid:application_id>")
class ApplicationItem(MethodView):
    @requires("approvals.application.read")
    @blp.etag
    @blp.response(200, ApprovalsApplication)
    def get(self, application_id):
        """One application with its decision, filing and flags."""
        return get_or_404(Application, application_id)

    @requires("approvals.application.write")
    @blp.etag
    @blp.arguments(ApprovalsApplicationPatch)
    @blp.response(200, ApprovalsApplication)
    def patch(self, data, application_id):
        """Change a draft's details (send If-Match with its ETag); moving it to another
        unit needs that unit in the caller's posts too."""
        application = _organisers(application_id, etag=True)
        require_unit_write(data.get("organiser_unit_id", application.organiser_unit_id))
        with writing() as db:
            return services.update_application(db, application, data)

    @requires("approvals.application.write")
    @blp.etag
    @blp.response(204)
    def delete(self, application_id):
        """Archive an application (kept, never deleted; it stops counting for W6)."""
        application = _organisers(application_id, etag=True)
        with writing() as db:
            services.archive(db, application)


@blp.route("/applications/<uuid:application_id>/submit")
class Submit(MethodView):
    @requires("approvals.application.write")
    @blp.arguments(ApprovalsEmpty)
    @blp.response(200, ApprovalsApplication)
    def post(self, _data, application_id):
        """Submit to the committee: W6's deadline, the planned start, begins to run."""
        application = _organisers(application_id)
        notice = plugin_settings("approvals")["min_notice_days"]
        with writing() as db:
            return services.submit(db, application, min_notice_days=notice)


@blp.route("/applications/<uuid:application_id>/decision")
class Decision(MethodView):
    @requires("approvals.application.decide")
    @blp.arguments(ApprovalsDecisionIn)
    @blp.response(200, ApprovalsApplication)
    def post(self, data, application_id):
        """The committee's decision; an approval on or after the start is flagged late.
        Without ``decided_by``, the leader recording it is the one who decided."""
        application = get_or_404(Application, application_id)
        data["decided_by"] = data["decided_by"] or _caller_id()
        with writing() as db:
            return services.decide(db, application, **data)


@blp.route("/applications/<uuid:application_id>/filing")
class Filing(MethodView):
    @requires("approvals.application.file")
    @blp.arguments(ApprovalsFilingIn)
    @blp.response(200, ApprovalsApplication)
    def post(self, data, application_id):
        """File the approved activity with the higher level (again to correct the record)."""
        application = get_or_404(Application, application_id)
        with writing() as db:
            return services.file_with_higher_level(db, application, **data)


@blp.route("/applications/<uuid:application_id>/outcome")
class Outcome(MethodView):
    @requires("approvals.application.write")
    @blp.arguments(ApprovalsOutcomeIn)
    @blp.response(200, ApprovalsApplication)
    def post(self, data, application_id):
        """The activity was held, or called off."""
        application = _organisers(application_id)
        with writing() as db:
            return services.record_outcome(db, application, **data)
