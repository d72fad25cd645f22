"""Analyses, their sections and approval (A2, A3); the domain catalogue."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select

from zerenzhi import SelectPage, not_found, render, require_unit_write, requires, session
from zerenzhi.plugins.analysis import services
from zerenzhi.plugins.analysis.blueprint import blp, fail
from zerenzhi.plugins.analysis.common import AnalysisError, caller, committee
from zerenzhi.plugins.analysis.models import Analysis
from zerenzhi.plugins.analysis.rules import DOMAIN_KEYS, DOMAINS
from zerenzhi.plugins.analysis.schemas import (
    AnalysisDomain,
    AnalysisIn,
    AnalysisPatch,
    AnalysisQuery,
    AnalysisRecord,
    AnalysisSection,
    AnalysisSectionIn,
)


def _analysis_or_404(analysis_id) -> Analysis:
    analysis = services.get_analysis(session(), analysis_id)
    if analysis is None:
        not_found()
    return analysis


def _domain_or_404(domain: str) -> str:
    if domain not in DOMAIN_KEYS:
        not_found()
    return domain


@blp.route("/domains")
class Domains(MethodView):
    @requires("analysis.analysis.read")
    @blp.response(200, AnalysisDomain(many=True))
    def get(self):
        """The six domains of A2, and which this township requires a half-year analysis
        to cover (settings ``required_domains``)."""
        required = set(services.required_domains())
        return [{"domain": key, "label": render(DOMAINS[key]), "required": key in required}
                for key in DOMAIN_KEYS]


@blp.route("/analyses")
class Analyses(MethodView):
    @requires("analysis.analysis.read")
    @blp.arguments(AnalysisQuery, location="query")
    @blp.response(200, AnalysisRecord(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """The township's analyses, newest first; filter by kind, half-year or date."""
        statement = select(Analysis).order_by(Analysis.held_on.desc(), Analysis.id.desc())
        if not query["include_archived"]:
            statement = statement.where(Analysis.archived_at.is_(None))
        for name in ("kind", "period", "sensitive_date_id"):
            if name in query:
                statement = statement.where(getattr(Analysis, name) == query[name])
        return statement

    @requires("analysis.analysis.write")
    @blp.arguments(AnalysisIn)
    @blp.response(201, AnalysisRecord)
    def post(self, data):
        """Record an analysis by the committee (A1); a half-year one counts toward
        ``analysis.half_year`` once it covers every required domain and is approved."""
        sess = session()
        try:
            require_unit_write(committee(sess).id)
            analysis = services.create_analysis(sess, **data)
        except AnalysisError as error:
            fail(error)
        sess.commit()
        return analysis


@blp.route("/analyses/<uuid:analysis_id>")
class AnalysisItem(MethodView):
    @requires("analysis.analysis.read")
    @blp.etag
    @blp.response(200, AnalysisRecord)
    def get(self, analysis_id):
        """One analysis, with its sections and the domains still missing."""
        return _analysis_or_404(analysis_id)

    @requires("analysis.analysis.write")
    @blp.etag
    @blp.arguments(AnalysisPatch)
    @blp.response(200, AnalysisRecord)
    def patch(self, data, analysis_id):
        """Change title, date, subject, summary or linked date (send If-Match)."""
        analysis = _analysis_or_404(analysis_id)
        blp.check_etag(analysis, AnalysisRecord)
        require_unit_write(analysis.unit_id)
        try:
            services.update_analysis(session(), analysis, data)
        except AnalysisError as error:
            fail(error)
        session().commit()
        return analysis

    @requires("analysis.analysis.write")
    @blp.etag
    @blp.response(204)
    def delete(self, analysis_id):
        """Archive an analysis (kept, never deleted): it counts for nothing any more."""
        analysis = _analysis_or_404(analysis_id)
        blp.check_etag(analysis, AnalysisRecord)
        require_unit_write(analysis.unit_id)
        services.archive_analysis(session(), analysis)
        session().commit()


@blp.route("/analyses/<uuid:analysis_id>/sections/<domain>")
class SectionItem(MethodView):
    @requires("analysis.analysis.write")
    @blp.arguments(AnalysisSectionIn)
    @blp.response(200, AnalysisSection)
    def put(self, data, analysis_id, domain):
        """Write one domain's section: mainstream, minor currents, prominent problems,
        proposed measures (A2)."""
        analysis = _analysis_or_404(analysis_id)
        _domain_or_404(domain)
        require_unit_write(analysis.unit_id)
        try:
            section = services.put_section(session(), analysis, domain, data)
        except AnalysisError as error:
            fail(error)
        session().commit()
        return section

    @requires("analysis.analysis.write")
    @blp.response(204)
    def delete(self, analysis_id, domain):
        """Remove a domain's section (archived): the domain is missing again."""
        analysis = _analysis_or_404(analysis_id)
        _domain_or_404(domain)
        require_unit_write(analysis.unit_id)
        try:
            removed = services.remove_section(session(), analysis, domain)
        except AnalysisError as error:
            fail(error)
        if not removed:
            not_found()
        session().commit()


@blp.route("/analyses/<uuid:analysis_id>/approval")
class Approval(MethodView):
    @requires("analysis.analysis.approve")
    @blp.response(200, AnalysisRecord)
    def post(self, analysis_id):
        """Approve as the leader in charge (M2) or the secretary (M1); a half-year
        analysis must cover every required domain first (422 names the missing ones)."""
        analysis = _analysis_or_404(analysis_id)
        actor = caller()
        roles = actor.roles if actor else frozenset()
        role = next((r for r in services.APPROVER_ROLES if r in roles), None)
        if actor is None or role is None:
            abort(403, message="approved by the leader in charge or the secretary")
        try:
            services.approve(session(), analysis, member_id=actor.member_id,
                             name=actor.name, role=role)
        except AnalysisError as error:
            fail(error)
        session().commit()
        return analysis

    @requires("analysis.analysis.approve")
    @blp.response(200, AnalysisRecord)
    def delete(self, analysis_id):
        """Withdraw the approval: the analysis stops counting."""
        analysis = _analysis_or_404(analysis_id)
        try:
            services.withdraw_approval(session(), analysis)
        except AnalysisError as error:
            fail(error)
        session().commit()
        return analysis
