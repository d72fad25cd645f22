"""Findings and their rectification (I1–I3) and interviews (約談, I3)."""

from __future__ import annotations

from flask.views import MethodView

from zerenzhi import (
    SelectPage,
    get_or_404,
    listed,
    require_unit_write,
    requires,
    session,
    writing,
)
from zerenzhi.plugins.inspection import findings, ratings
from zerenzhi.plugins.inspection.blueprint import blp, shown_page
from zerenzhi.plugins.inspection.common import caller
from zerenzhi.plugins.inspection.models import Finding, Interview
from zerenzhi.plugins.inspection.schemas import (
    InspectionEffectivenessIn,
    InspectionFinding,
    InspectionFindingIn,
    InspectionFindingPatch,
    InspectionFindingQuery,
    InspectionInterview,
    InspectionInterviewIn,
    InspectionInterviewQuery,
    InspectionRectificationIn,
    InspectionVerificationIn,
)


@blp.route("/findings")
class Findings(MethodView):
    @requires("inspection.campaign.read")
    @blp.arguments(InspectionFindingQuery, location="query")
    @blp.response(200, InspectionFinding(many=True))
    @blp.paginate(shown_page(findings.shown_findings))
    def get(self, query):
        """Findings by deadline; ``overdue=true`` shows rectifications past their deadline."""
        return findings.listing(query)

    @requires("inspection.finding.write")
    @blp.arguments(InspectionFindingIn)
    @blp.response(201, InspectionFinding)
    def post(self, data):
        """Raise a finding at a unit, in a campaign or from elsewhere (``source``); a
        plan with owner and deadline starts ``inspection.rectification``."""
        with writing() as db:
            return findings.shown_finding(db, findings.raise_finding(db, **data))


@blp.route("/findings/<uuid:finding_id>")
class FindingItem(MethodView):
    @requires("inspection.campaign.read")
    @blp.etag
    @blp.response(200, InspectionFinding)
    def get(self, finding_id):
        """One finding with its rectification's status and obligation."""
        return findings.shown_finding(session(), get_or_404(Finding, finding_id))

    @requires("inspection.finding.write")
    @blp.etag
    @blp.arguments(InspectionFindingPatch)
    @blp.response(200, InspectionFinding)
    def patch(self, data, finding_id):
        """Edit a finding or set its plan (a new deadline moves the obligation)."""
        with writing() as db:
            finding = get_or_404(Finding, finding_id)
            blp.check_etag(findings.shown_finding(db, finding), InspectionFinding)
            return findings.shown_finding(db, findings.update_finding(db, finding, data))

    @requires("inspection.finding.write")
    @blp.etag
    @blp.response(204)
    def delete(self, finding_id):
        """Archive a finding raised in error: its obligation closes."""
        with writing() as db:
            finding = get_or_404(Finding, finding_id)
            blp.check_etag(findings.shown_finding(db, finding), InspectionFinding)
            findings.archive_finding(db, finding)


def _step(finding_id, action, unit_scoped: bool = False, **kwargs):
    """One step of the rectification on a finding; ``unit_scoped`` steps are taken by the
    finding's own unit only."""
    finding = get_or_404(Finding, finding_id)
    if unit_scoped:
        require_unit_write(finding.unit_id)
    with writing() as db:
        return findings.shown_finding(db, action(db, finding, **kwargs))


@blp.route("/findings/<uuid:finding_id>/rectification")
class Rectification(MethodView):
    @requires("inspection.rectification.write")
    @blp.arguments(InspectionRectificationIn)
    @blp.response(200, InspectionFinding)
    def post(self, data, finding_id):
        """The unit reports its rectification with evidence (its own unit only)."""
        return _step(finding_id, findings.rectify, unit_scoped=True, **data)


@blp.route("/findings/<uuid:finding_id>/verification")
class Verification(MethodView):
    @requires("inspection.finding.verify")
    @blp.arguments(InspectionVerificationIn)
    @blp.response(200, InspectionFinding)
    def post(self, data, finding_id):
        """The office accepts the rectification (fulfilling the obligation) or returns it."""
        return _step(finding_id, findings.verify, actor=caller(), **data)


@blp.route("/findings/<uuid:finding_id>/effectiveness")
class Effectiveness(MethodView):
    @requires("inspection.finding.verify")
    @blp.arguments(InspectionEffectivenessIn)
    @blp.response(200, InspectionFinding)
    def post(self, data, finding_id):
        """Later: did the verified rectification hold?"""
        return _step(finding_id, findings.check_effectiveness, **data)


@blp.route("/interviews")
class Interviews(MethodView):
    @requires("inspection.campaign.read")
    @blp.arguments(InspectionInterviewQuery, location="query")
    @blp.response(200, InspectionInterview(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Interview records (約談), newest first."""
        return listed(Interview, query, match=("unit_id",),
                      order_by=(Interview.held_on.desc(), Interview.id))

    @requires("inspection.interview.write")
    @blp.arguments(InspectionInterviewIn)
    @blp.response(201, InspectionInterview)
    def post(self, data):
        """Record the interview with the head of a unit rated "prominent problems"
        (I3): it fulfils that rating's ``inspection.interview``."""
        rating = ratings.get_rating(session(), data["rating_id"])
        if rating is not None:
            require_unit_write(rating.unit_id)
        with writing() as db:
            return ratings.record_interview(db, actor=caller(), **data)


@blp.route("/interviews/<uuid:interview_id>")
class InterviewItem(MethodView):
    @requires("inspection.campaign.read")
    @blp.etag
    @blp.response(200, InspectionInterview)
    def get(self, interview_id):
        """One interview record."""
        return get_or_404(Interview, interview_id)

    @requires("inspection.interview.write")
    @blp.etag
    @blp.response(204)
    def delete(self, interview_id):
        """Archive an interview recorded in error: the obligation is open again."""
        interview = get_or_404(Interview, interview_id)
        blp.check_etag(interview, InspectionInterview)
        require_unit_write(interview.unit_id)
        with writing() as db:
            ratings.archive_interview(db, interview)
