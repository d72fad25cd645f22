"""Directives downward (W1 督辦) and reports upward (R1, R3, P2).

County side (``county_blp``): a county admin assigns a directive to all or some of the
county's townships and tracks each one's status; county staff read the inbox of reports
the townships sent upward and the admin acknowledges them. Township side (``blp``): the
township reads its directives, reports completion, and sees whether its reports were
acknowledged. The county reads only the township rows made for it (each township's copy
of a directive, the reports sent upward), through its county read scope.
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from sqlalchemy import select

from zerenzhi.auth.permissions import requires
from zerenzhi.auth.scope import require_unit_write
from zerenzhi.db.base import utcnow
from zerenzhi.db.listing import listed
from zerenzhi.db.session import session, writing
from zerenzhi.directives import rules, service
from zerenzhi.directives.models import Directive, DirectiveReport, DirectiveTarget, InboxItem
from zerenzhi.routes.common import Blueprint, SelectPage, get_or_404
from zerenzhi.routes.directive_schemas import (
    AcknowledgementIn,
    CompletionIn,
    DirectiveIn,
    DirectiveOut,
    InboxItemOut,
    InboxQuery,
    OutboxItemOut,
    ReportIn,
    ReportOut,
    ReportQuery,
    TargetQuery,
    TargetSchema,
    TargetStatus,
)
from zerenzhi.web.pipeline import not_found

blp = Blueprint("directives", __name__, url_prefix="/api/v1/townships/<township>",
                description="Directives from the county (督辦, W1) and reports sent upward "
                            "(R1, R3, P2), as the township sees them")
county_blp = Blueprint("county_directives", __name__, url_prefix="/api/v1/counties/<county>",
                       description="A county's directives to its townships (督辦, W1) and "
                                   "its inbox of reports sent upward (R1, R3, P2)")


@county_blp.record
def _register_rule(state) -> None:
    """The app gets the core rule ``county.directive`` as it mounts these routes (the
    rule registry exists by then; see ``create_app``)."""
    service.ensure_rule(state.app.extensions["zerenzhi"].rules)


# --- county --------------------------------------------------------------------------------

@county_blp.route("/directives")
class CountyDirectives(MethodView):
    @requires("rollups.read")
    @county_blp.response(200, DirectiveOut(many=True))
    @county_blp.paginate()
    def get(self, pagination_parameters):
        """The county's directives, newest first, each with every target township's
        status (open, completed, overdue), a task's completion time and report, a rule's
        units required, fulfilled and waived."""
        items, total = service.county_directives(
            session(), g.zz_tenant.ref(), utcnow(), limit=pagination_parameters.page_size,
            offset=pagination_parameters.first_item)
        pagination_parameters.item_count = total
        return items

    @requires("directives.write")
    @county_blp.arguments(DirectiveIn)
    @county_blp.response(201, DirectiveOut)
    def post(self, data):
        """Assign a directive to all or some townships (W1). A task: each township gets
        it and an obligation on its committee, due at the deadline. A rule for a period:
        each gets one obligation per active unit of the kinds in ``applies_to``, for
        ``min_count`` times in the period, due at its end. Both are in the townships'
        calendars."""
        with writing() as db:
            directive = service.create_directive(db, issued_by=g.zz_identity.user_id, **data)
            return service.county_directive(db, g.zz_tenant.ref(), directive, utcnow())


def _described(directive_id) -> dict:
    directive = get_or_404(Directive, directive_id, include_archived=False)
    return service.county_directive(session(), g.zz_tenant.ref(), directive, utcnow())


@county_blp.route("/directives/<uuid:directive_id>")
class CountyDirective(MethodView):
    @requires("rollups.read")
    @county_blp.etag
    @county_blp.response(200, DirectiveOut)
    def get(self, directive_id):
        """One of the county's directives with every target township's status, units
        required and fulfilled, and when it was last chased."""
        return _described(directive_id)

    @requires("directives.write")
    @county_blp.etag
    @county_blp.response(204)
    def delete(self, directive_id):
        """Archive a finished directive (kept, never deleted; If-Match): it leaves the
        list. 409 while a township still owes it: cancel it first."""
        county_blp.check_etag(_described(directive_id), DirectiveOut)
        with writing() as db:
            service.archive_directive(db, g.zz_tenant.ref(), get_or_404(Directive, directive_id),
                                      utcnow())


@county_blp.route("/directives/<uuid:directive_id>/cancellation")
class Cancellation(MethodView):
    @requires("directives.write")
    @county_blp.response(201, DirectiveOut)
    def post(self, directive_id):
        """Cancel a directive (撤銷): each township's unfinished copy is cancelled and what
        it owes under it archived; completed copies stay. Again: the same answer."""
        directive = get_or_404(Directive, directive_id, include_archived=False)
        with writing() as db:
            service.cancel_directive(db, g.zz_tenant.ref(), directive, utcnow())
            return service.county_directive(db, g.zz_tenant.ref(), directive, utcnow())


@county_blp.route("/directives/<uuid:directive_id>/townships/<township_slug>/reminders")
class Chase(MethodView):
    @requires("directives.write")
    @county_blp.response(201, TargetStatus)
    def post(self, directive_id, township_slug):
        """Chase an overdue township (催辦): recorded on its copy (``chased_at``,
        ``chase_count``) and sent to its office through the notifiers it enabled (the
        event ``directive.chased``). 409 unless that township is overdue."""
        directive = get_or_404(Directive, directive_id, include_archived=False)
        with writing() as db:
            return service.chase(db, g.zz_tenant.ref(), directive, township_slug, utcnow(),
                                 g.zz_identity.user_id) or not_found()


@county_blp.route("/inbox")
class Inbox(MethodView):
    @requires("rollups.read")
    @county_blp.arguments(InboxQuery, location="query")
    @county_blp.response(200, InboxItemOut(many=True))
    @county_blp.paginate()
    def get(self, query, pagination_parameters):
        """Reports the county's townships sent upward (R1 half-year reports, R3 major
        situations, P2 incidents), newest first, with their acknowledgement."""
        items, total = service.county_inbox(
            session(), g.zz_tenant.ref(), acknowledged=query.get("acknowledged"),
            kind=query.get("kind"),
            limit=pagination_parameters.page_size, offset=pagination_parameters.first_item)
        pagination_parameters.item_count = total
        return items


@county_blp.route("/inbox/<uuid:item_id>")
class InboxEntry(MethodView):
    @requires("rollups.read")
    @county_blp.response(200, InboxItemOut)
    def get(self, item_id):
        """One report a township sent upward, with its deadline, lateness and receipt."""
        return service.county_inbox_item(session(), g.zz_tenant.ref(), item_id) or not_found()


@county_blp.route("/inbox/<uuid:item_id>/acknowledgement")
class Acknowledgement(MethodView):
    @requires("inbox.acknowledge")
    @county_blp.arguments(AcknowledgementIn)
    @county_blp.response(201, InboxItemOut)
    def post(self, data, item_id):
        """Acknowledge a report (簽收); the township sees it in its outbox."""
        with writing() as db:
            return service.acknowledge(db, g.zz_tenant.ref(), item_id, data["note"],
                                       g.zz_identity.user_id) or not_found()


# --- township ------------------------------------------------------------------------------

@blp.route("/directives")
class Directives(MethodView):
    @requires("directives.read")
    @blp.arguments(TargetQuery, location="query")
    @blp.response(200, TargetSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Directives the county assigned to this township, by deadline; a rule with
        each unit's progress."""
        return service.township_directives(session(), utcnow(), **query)


def _target_or_404(directive_id) -> DirectiveTarget:
    """The township's copy of a directive: the URL names the directive, not the copy."""
    target = service.township_directive(session(), directive_id)
    if target is None:
        not_found()
    return target


@blp.route("/directives/<uuid:directive_id>")
class OneDirective(MethodView):
    @requires("directives.read")
    @blp.etag
    @blp.response(200, TargetSchema)
    def get(self, directive_id):
        """One directive as assigned to this township."""
        return _target_or_404(directive_id)


@blp.route("/directives/<uuid:directive_id>/completion")
class Completion(MethodView):
    @requires("directives.complete")
    @blp.arguments(CompletionIn)
    @blp.response(201, TargetSchema)
    def post(self, data, directive_id):
        """Report a task completed (辦結報告): its obligation turns fulfilled and the
        county sees the report. A rule directive takes progress reports per unit."""
        require_unit_write(_target_or_404(directive_id).unit_id)
        with writing() as db:
            return service.complete(db, directive_id, data["report"], g.zz_identity.user_id)


def _report_or_404(directive_id, report_id) -> DirectiveReport:
    report = get_or_404(DirectiveReport, report_id)
    if report.directive_id != directive_id:
        not_found()
    return report


@blp.route("/directives/<uuid:directive_id>/reports")
class Reports(MethodView):
    @requires("directives.read")
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, ReportOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, directive_id):
        """A rule directive's progress reports, newest first (``unit_id`` to filter)."""
        reports = select(DirectiveReport).where(
            DirectiveReport.directive_id == _target_or_404(directive_id).directive_id)
        return listed(DirectiveReport, query, match=("unit_id",), statement=reports,
                      order_by=(DirectiveReport.occurred_at.desc(), DirectiveReport.id.desc()))

    @requires("directives.report")
    @blp.arguments(ReportIn)
    @blp.response(201, ReportOut)
    def post(self, data, directive_id):
        """Record that a unit did what a rule directive asks (a session held…): it counts
        toward that unit's obligation; the county sees the count, not the note."""
        target = _target_or_404(directive_id)
        require_unit_write(data["unit_id"])
        with writing() as db:
            return rules.record_report(db, target, by=g.zz_identity.user_id, **data)


@blp.route("/directives/<uuid:directive_id>/reports/<uuid:report_id>")
class OneReport(MethodView):
    @requires("directives.read")
    @blp.etag
    @blp.response(200, ReportOut)
    def get(self, directive_id, report_id):
        """One progress report."""
        return _report_or_404(directive_id, report_id)

    @requires("directives.report")
    @blp.etag
    @blp.response(204)
    def delete(self, directive_id, report_id):
        """Archive a progress report (kept, never deleted; If-Match): it stops counting."""
        report = _report_or_404(directive_id, report_id)
        blp.check_etag(report, ReportOut)
        require_unit_write(report.unit_id)
        with writing() as db:
            rules.archive_report(db, report)


@blp.route("/outbox")
class Outbox(MethodView):
    @requires("outbox.read")
    @blp.response(200, OutboxItemOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """Reports this township sent upward, newest first, with the county's receipt."""
        return select(InboxItem).order_by(InboxItem.sent_at.desc(), InboxItem.id.desc())
