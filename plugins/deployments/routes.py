"""The deployments API: deployments with their tasks, and tasks' completion (W1)."""

from __future__ import annotations

from flask.views import MethodView

from zerenzhi import (
    Blueprint,
    SelectPage,
    get_or_404,
    listed,
    not_found,
    require_unit_write,
    requires,
    session,
    writing,
)
from zerenzhi.plugins.deployments import services
from zerenzhi.plugins.deployments.models import Deployment
from zerenzhi.plugins.deployments.rules import COMPLETE, READ, WRITE
from zerenzhi.plugins.deployments.schemas import (
    DeploymentsCompletionIn,
    DeploymentsDeploymentIn,
    DeploymentsDeploymentOut,
    DeploymentsListQuery,
    DeploymentsTaskOut,
)

blp = Blueprint("deployments", __name__,
                description="Deployments from higher levels and their tasks (上級部署, W1)")
NEWEST_FIRST = (Deployment.issued_on.desc(), Deployment.id.desc())


@blp.route("/deployments")
class Deployments(MethodView):
    @requires(READ)
    @blp.arguments(DeploymentsListQuery, location="query")
    @blp.response(200, DeploymentsDeploymentOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Deployments received, newest first, with their tasks."""
        return listed(Deployment, query, match=("level",), order_by=NEWEST_FIRST)

    @requires(WRITE)
    @blp.arguments(DeploymentsDeploymentIn)
    @blp.response(201, DeploymentsDeploymentOut)
    def post(self, data):
        """Record a deployment and its tasks; each task is owed by its deadline (W1)."""
        with writing() as db:
            return services.record(db, data)


@blp.route("/deployments/<uuid:deployment_id>")
class DeploymentItem(MethodView):
    @requires(READ)
    @blp.etag
    @blp.response(200, DeploymentsDeploymentOut)
    def get(self, deployment_id):
        """One deployment and its tasks."""
        return get_or_404(Deployment, deployment_id)

    @requires(WRITE)
    @blp.etag
    @blp.response(204)
    def delete(self, deployment_id):
        """Withdraw a deployment recorded in error (If-Match): kept, its tasks owe nothing."""
        row = get_or_404(Deployment, deployment_id)
        blp.check_etag(row, DeploymentsDeploymentOut)
        with writing() as db:
            services.archive(db, row)


@blp.route("/tasks/<uuid:task_id>/completion")
class TaskCompletion(MethodView):
    @requires(COMPLETE)
    @blp.arguments(DeploymentsCompletionIn)
    @blp.response(200, DeploymentsTaskOut)
    def put(self, data, task_id):
        """Record the task done: it fulfils the task's obligation (late after its deadline)."""
        deployment, task = services.task_of(session(), task_id) or not_found()
        require_unit_write(task.unit_id)  # 403 outside the caller's posts
        with writing() as db:
            return services.complete(db, deployment, task, data)
