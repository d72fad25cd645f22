"""The accountability API, mounted by core at ``/api/v1/townships/<township>/accountability``.

The strictest module: only the secretary, the deputy and designated viewers read cases,
and every read of a case — one case or a page of them — is audited
(``accountability.case.read``) and committed, as every write is.
"""

from __future__ import annotations

from flask.views import MethodView

from zerenzhi import (
    Blueprint,
    get_or_404,
    not_found,
    plugin_settings,
    render,
    requires,
    session,
    utcnow,
    writing,
)
from zerenzhi.plugins.accountability import alerts, catalogue, services
from zerenzhi.plugins.accountability.models import Case, CaseLink
from zerenzhi.plugins.accountability.schemas import (
    AccountabilityAlertQuery,
    AccountabilityAlerts,
    AccountabilityCase,
    AccountabilityCaseIn,
    AccountabilityCasePatch,
    AccountabilityCaseQuery,
    AccountabilityCatalogue,
    AccountabilityClosureIn,
    AccountabilityDecisionIn,
    AccountabilityInvestigationIn,
    AccountabilityLink,
    AccountabilityOutcomeIn,
    AccountabilityReferralIn,
    AccountabilityRefIn,
)

blp = Blueprint("accountability", __name__,
                description="Accountability (問責; K1–K13): cases, proposals, referrals to the "
                            "區紀委 and their outcomes, alerts")
READ = services.READ


def _settings() -> dict:
    return plugin_settings("accountability")


def _link_of(case: Case, link_id) -> CaseLink:
    """The link, if this case cites it (another case's is as unknown: 404)."""
    link = get_or_404(CaseLink, link_id)
    if link.case_id != case.id:
        not_found()
    return link


def _codes(table: dict) -> list[dict]:
    return [{"code": code, "label": render(label)} for code, label in table.items()]


@blp.route("/catalogue")
class Catalogue(MethodView):
    @requires("accountability.catalogue.read")
    @blp.response(200, AccountabilityCatalogue)
    def get(self):
        """K1–K13, the three severities and the sanctions each brings (the text's table)."""
        severities = [{"code": code, "label": render(label), "sanctions": [
            {"code": s, "label": render(catalogue.SANCTIONS[s])}
            for s in catalogue.ALLOWED[code]], "combines_with": list(catalogue.lighter(code))}
            for code, label in catalogue.SEVERITIES.items()]
        return {"circumstances": _codes(catalogue.CIRCUMSTANCES), "severities": severities,
                "subject_kinds": _codes(catalogue.SUBJECT_KINDS),
                "statuses": _codes(catalogue.STATUSES),
                "evidence_types": _codes(catalogue.EVIDENCE_TYPES), "combinable": True,
                "cadre_circumstances": list(catalogue.CADRE_CIRCUMSTANCES)}


@blp.route("/cases")
class Cases(MethodView):
    @requires(READ)
    @blp.arguments(AccountabilityCaseQuery, location="query")
    @blp.response(200, AccountabilityCase(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Cases, newest first. The page read is audited with the ids it showed."""
        with writing() as db:
            return services.page_of_cases(db, query, pagination_parameters)

    @requires("accountability.case.write")
    @blp.arguments(AccountabilityCaseIn)
    @blp.response(201, AccountabilityCase)
    def post(self, data):
        """Open a case (a leader's decision), citing evidence by reference if any."""
        with writing() as db:
            return services.open_case(db, data)


@blp.route("/cases/<uuid:case_id>")
class CaseItem(MethodView):
    @requires(READ)
    @blp.etag
    @blp.response(200, AccountabilityCase)
    def get(self, case_id):
        """One case with the evidence it cites; the read is audited."""
        with writing() as db:
            return services.read_case(db, get_or_404(Case, case_id))

    @requires("accountability.case.write")
    @blp.etag
    @blp.arguments(AccountabilityCasePatch)
    @blp.response(200, AccountabilityCase)
    def patch(self, data, case_id):
        """Correct subject, circumstances or facts before the decision (If-Match)."""
        case = get_or_404(Case, case_id)
        blp.check_etag(case, AccountabilityCase)
        with writing() as db:
            return services.update_case(db, case, data)

    @requires("accountability.case.write")
    @blp.etag
    @blp.response(204)
    def delete(self, case_id):
        """Archive a case opened in error, before any decision (If-Match)."""
        case = get_or_404(Case, case_id)
        blp.check_etag(case, AccountabilityCase)
        with writing() as db:
            services.archive(db, case)


@blp.route("/cases/<uuid:case_id>/evidence")
class Evidence(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityRefIn)
    @blp.response(201, AccountabilityLink)
    def post(self, data, case_id):
        """Cite a record: an overdue obligation ("obligation"), an inspection finding
        ("inspection.finding") or an incident ("platforms.incident")."""
        with writing() as db:
            return services.cite(db, get_or_404(Case, case_id), data)


@blp.route("/cases/<uuid:case_id>/evidence/<uuid:link_id>")
class EvidenceItem(MethodView):
    @requires("accountability.case.write")
    @blp.response(204)
    def delete(self, case_id, link_id):
        """Stop citing a record (the link is archived, not deleted)."""
        case = get_or_404(Case, case_id)
        with writing() as db:
            services.uncite(db, case, _link_of(case, link_id))


@blp.route("/cases/<uuid:case_id>/investigation")
class CaseInvestigation(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityInvestigationIn)
    @blp.response(200, AccountabilityCase)
    def post(self, data, case_id):
        """Start the investigation (opened → investigating)."""
        with writing() as db:
            return services.investigate(db, get_or_404(Case, case_id), data)


@blp.route("/cases/<uuid:case_id>/decision")
class CaseDecision(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityDecisionIn)
    @blp.response(200, AccountabilityCase)
    def post(self, data, case_id):
        """Propose (investigating → decided): the severity and sanctions the township asks
        the commission for — the severity's own, combined with lighter ones if wished; a
        heavier severity's sanction is 422 and nothing is written."""
        with writing() as db:
            return services.decide(db, get_or_404(Case, case_id), data)


@blp.route("/cases/<uuid:case_id>/referral")
class CaseReferral(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityReferralIn)
    @blp.response(200, AccountabilityCase)
    def post(self, data, case_id):
        """Refer the case to the district discipline commission (decided → referred),
        with the date and the body referred to."""
        with writing() as db:
            return services.refer(db, get_or_404(Case, case_id), data, _settings())


@blp.route("/cases/<uuid:case_id>/outcome")
class CaseOutcome(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityOutcomeIn)
    @blp.response(200, AccountabilityCase)
    def post(self, data, case_id):
        """Record the commission's decision (referred → outcome_recorded): its date,
        summary, reference, and the severity and sanctions it applied, if any."""
        with writing() as db:
            return services.record_outcome(db, get_or_404(Case, case_id), data)


@blp.route("/cases/<uuid:case_id>/closure")
class CaseClosure(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityClosureIn)
    @blp.response(200, AccountabilityCase)
    def post(self, data, case_id):
        """Close: once the commission's outcome is recorded, or earlier with a note saying
        why no referral was needed (e.g. no responsibility found); a referred case awaiting
        its outcome is 409."""
        with writing() as db:
            return services.close(db, get_or_404(Case, case_id), data)


@blp.route("/alerts")
class Alerts(MethodView):
    @requires("accountability.alert.read")
    @blp.arguments(AccountabilityAlertQuery, location="query")
    @blp.response(200, AccountabilityAlerts)
    def get(self, query):
        """Overdue obligations past the township's threshold and overdue rectifications,
        for a leader to review. Nothing here opens a case."""
        return alerts.alerts(session(), query.get("period"), _settings(), utcnow())
