"""Findings and their rectification (I1–I3) and interviews (約談, I3)."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import and_, select

from zerenzhi import SelectPage, not_found, require_unit_write, requires, session
from zerenzhi.plugins.inspection import findings, ratings, services
from zerenzhi.plugins.inspection.blueprint import blp, fail
from zerenzhi.plugins.inspection.common import InspectionError, caller, today
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


def _finding_or_404(finding_id) -> Finding:
    finding = findings.get_finding(session(), finding_id)
    if finding is None:
        not_found()
    return finding


@blp.route("/findings")
class Findings(MethodView):
    @requires("inspection.campaign.read")
    @blp.arguments(InspectionFindingQuery, location="query")
    @blp.response(200, InspectionFinding(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Findings by deadline; ``overdue=true`` shows rectifications past their deadline."""
        statement = select(Finding).order_by(Finding.deadline, Finding.found_on, Finding.id)
        if not query["include_archived"]:
            statement = statement.where(Finding.archived_at.is_(None))
        for name in ("campaign_id", "unit_id"):
            if name in query:
                statement = statement.where(getattr(Finding, name) == query[name])
        overdue = and_(Finding.verified_at.is_(None), Finding.deadline < today())
        if "overdue" in query:
            statement = statement.where(overdue if query["overdue"] else ~overdue)
        if "open" in query:
            unverified = Finding.verified_at.is_(None)
            statement = statement.where(unverified if query["open"] else ~unverified)
        return statement

    @requires("inspection.finding.write")
    @blp.arguments(InspectionFindingIn)
    @blp.response(201, InspectionFinding)
    def post(self, data):
        """Raise a finding at a unit, in a campaign or from elsewhere (``source``); a
        plan with owner and deadline starts ``inspection.rectification``."""
        campaign_id = data.pop("campaign_id")
        sess = session()
        try:
            campaign = None
            if campaign_id is not None:
                campaign = findings_campaign(campaign_id)
            finding = findings.raise_finding(sess, campaign=campaign, **data)
        except InspectionError as error:
            fail(error)
        sess.commit()
        return finding


def findings_campaign(campaign_id):
    """The campaign a finding belongs to; unknown or foreign ids are field errors."""
    campaign = services.get_campaign(session(), campaign_id)
    if campaign is None:
        raise InspectionError("campaign_id", "no such campaign in this township")
    return campaign


@blp.route("/findings/<uuid:finding_id>")
class FindingItem(MethodView):
    @requires("inspection.campaign.read")
    @blp.etag
    @blp.response(200, InspectionFinding)
    def get(self, finding_id):
        """One finding with its rectification's status and obligation."""
        return _finding_or_404(finding_id)

    @requires("inspection.finding.write")
    @blp.etag
    @blp.arguments(InspectionFindingPatch)
    @blp.response(200, InspectionFinding)
    def patch(self, data, finding_id):
        """Edit a finding or set its plan (a new deadline moves the obligation)."""
        finding = _finding_or_404(finding_id)
        blp.check_etag(finding, InspectionFinding)
        try:
            findings.update_finding(session(), finding, data)
        except InspectionError as error:
            fail(error)
        session().commit()
        return finding

    @requires("inspection.finding.write")
    @blp.etag
    @blp.response(204)
    def delete(self, finding_id):
        """Archive a finding raised in error: its obligation closes."""
        finding = _finding_or_404(finding_id)
        blp.check_etag(finding, InspectionFinding)
        findings.archive_finding(session(), finding)
        session().commit()


def _step(finding_id, action, unit_scoped: bool = False, **kwargs):
    finding = _finding_or_404(finding_id)
    if unit_scoped:
        require_unit_write(finding.unit_id)
    try:
        action(session(), finding, **kwargs)
    except InspectionError as error:
        fail(error)
    session().commit()
    return finding


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
        statement = select(Interview).order_by(Interview.held_on.desc(), Interview.id)
        if not query["include_archived"]:
            statement = statement.where(Interview.archived_at.is_(None))
        if "unit_id" in query:
            statement = statement.where(Interview.unit_id == query["unit_id"])
        return statement

    @requires("inspection.interview.write")
    @blp.arguments(InspectionInterviewIn)
    @blp.response(201, InspectionInterview)
    def post(self, data):
        """Record the interview with the head of a unit rated "prominent problems"
        (I3): it fulfils that rating's ``inspection.interview``."""
        sess = session()
        rating = ratings.get_rating(sess, data["rating_id"])
        if rating is not None:
            require_unit_write(rating.unit_id)
        actor = caller()
        if not data.get("held_by") and actor is not None:
            data["held_by"], data["held_by_member_id"] = actor.name, actor.member_id
        try:
            interview = ratings.record_interview(sess, **data)
        except InspectionError as error:
            fail(error)
        sess.commit()
        return interview


@blp.route("/interviews/<uuid:interview_id>")
class InterviewItem(MethodView):
    @requires("inspection.campaign.read")
    @blp.etag
    @blp.response(200, InspectionInterview)
    def get(self, interview_id):
        """One interview record."""
        interview = ratings.get_interview(session(), interview_id)
        if interview is None:
            not_found()
        return interview

    @requires("inspection.interview.write")
    @blp.etag
    @blp.response(204)
    def delete(self, interview_id):
        """Archive an interview recorded in error: the obligation is open again."""
        interview = ratings.get_interview(session(), interview_id)
        if interview is None:
            not_found()
        blp.check_etag(interview, InspectionInterview)
        require_unit_write(interview.unit_id)
        ratings.archive_interview(session(), interview)
        session().commit()

