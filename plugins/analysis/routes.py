"""Analyses, their sections and approval (A2, A3); the domain catalogue."""

from __future__ import annotations

from flask.views import MethodView

from zerenzhi import (
    committee,
    get_or_404,
    not_found,
    render,
    require_unit_write,
    requires,
    session,
    writing,
)
from zerenzhi.plugins.analysis import services
from zerenzhi.plugins.analysis.blueprint import blp, shown_page
from zerenzhi.plugins.analysis.common import caller
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


def _domain_or_404(domain: str) -> str:
    if domain not in DOMAIN_KEYS:
        not_found()
    return domain


def _committees(analysis_id, *, etag: bool = False) -> Analysis:
    """The analysis, for writers whose posts reach its unit (the committee, A1); with
    ``etag``, the If-Match is checked first."""
    analysis = get_or_404(Analysis, analysis_id)
    if etag:
        blp.check_etag(services.show(session(), analysis), AnalysisRecord)
    require_unit_write(analysis.unit_id)
    return analysis


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
    @blp.paginate(shown_page(services.show_page))
    def get(self, query):
        """The township's analyses, newest first; filter by kind, half-year or date."""
        return services.analyses(query)

    @requires("analysis.analysis.write")
    @blp.arguments(AnalysisIn)
    @blp.response(201, AnalysisRecord)
    def post(self, data):
        """Record an analysis by the committee (A1); a half-year one counts toward
        ``analysis.half_year`` once it covers every required domain and is approved."""
        with writing() as db:
            require_unit_write(committee(db).id)
            return services.show(db, services.create_analysis(db, **data))


@blp.route("/analyses/<uuid:analysis_id>")
class AnalysisItem(MethodView):
    @requires("analysis.analysis.read")
    @blp.etag
    @blp.response(200, AnalysisRecord)
    def get(self, analysis_id):
        """One analysis, with its sections and the domains still missing."""
        return services.show(session(), get_or_404(Analysis, analysis_id))

    @requires("analysis.analysis.write")
    @blp.etag
    @blp.arguments(AnalysisPatch)
    @blp.response(200, AnalysisRecord)
    def patch(self, data, analysis_id):
        """Change title, date, subject, summary or linked date (send If-Match)."""
        analysis = _committees(analysis_id, etag=True)
        with writing() as db:
            return services.show(db, services.update_analysis(db, analysis, data))

    @requires("analysis.analysis.write")
    @blp.etag
    @blp.response(204)
    def delete(self, analysis_id):
        """Archive an analysis (kept, never deleted): it counts for nothing any more."""
        analysis = _committees(analysis_id, etag=True)
        with writing() as db:
            services.archive_analysis(db, analysis)


@blp.route("/analyses/<uuid:analysis_id>/sections/<domain>")
class SectionItem(MethodView):
    @requires("analysis.analysis.write")
    @blp.arguments(AnalysisSectionIn)
    @blp.response(200, AnalysisSection)
    def put(self, data, analysis_id, domain):
        """Write one domain's section: mainstream, minor currents, prominent problems,
        proposed measures (A2)."""
        domain, analysis = _domain_or_404(domain), _committees(analysis_id)
        with writing() as db:
            return services.put_section(db, analysis, domain, data)

    @requires("analysis.analysis.write")
    @blp.response(204)
    def delete(self, analysis_id, domain):
        """Remove a domain's section (archived): the domain is missing again."""
        domain, analysis = _domain_or_404(domain), _committees(analysis_id)
        with writing() as db:
            if not services.remove_section(db, analysis, domain):
                not_found()


@blp.route("/analyses/<uuid:analysis_id>/approval")
class Approval(MethodView):
    @requires("analysis.analysis.approve")
    @blp.response(200, AnalysisRecord)
    def post(self, analysis_id):
        """Approve as the leader in charge (M2) or the secretary (M1); a half-year
        analysis must cover every required domain first (422 names the missing ones)."""
        analysis = get_or_404(Analysis, analysis_id)
        with writing() as db:
            return services.show(db, services.approve(db, analysis, caller()))

    @requires("analysis.analysis.approve")
    @blp.response(200, AnalysisRecord)
    def delete(self, analysis_id):
        """Withdraw the approval: the analysis stops counting."""
        analysis = get_or_404(Analysis, analysis_id)
        with writing() as db:
            return services.show(db, services.withdraw_approval(db, analysis))
