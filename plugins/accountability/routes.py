"""The accountability API, mounted by core at ``/api/v1/townships/<township>/accountability``.

The strictest module: only the secretary, the deputy and designated viewers read cases,
and every read of a case — one case or a page of them — is audited
(``accountability.case.read``) and committed, as every write is.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import func, select

from zerenzhi import (
    audit_event,
    local_today,
    not_found,
    parse_period,
    period_of,
    plugin_settings,
    render,
    require_tenant,
    requires,
    session,
    utcnow,
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
    AccountabilityReferralIn,
    AccountabilityRefIn,
)

blp = Blueprint("accountability", __name__,
                description="Accountability (問責; K1–K13): cases, decisions, referrals, alerts")
READ = "accountability.case.read"
TARGET = "accountability_case"


def _fail(error: services.CaseError):
    session().rollback()
    abort(error.status, message=error.message, errors={"json": {error.field: [error.message]}})


def _settings() -> dict:
    return plugin_settings("accountability")


def _case_or_404(case_id) -> Case:
    case = session().scalar(select(Case).where(Case.id == case_id))
    if case is None:
        not_found()
    return case


def _read(case: Case) -> Case:
    """Audit this read of a case, in its own committed transaction."""
    audit_event(session(), READ, TARGET, case.id)
    session().commit()
    return case


def _done(case: Case) -> Case:
    session().commit()
    return case


def _codes(table: dict) -> list[dict]:
    return [{"code": code, "label": render(label)} for code, label in table.items()]


@blp.route("/catalogue")
class Catalogue(MethodView):
    @requires("accountability.catalogue.read")
    @blp.response(200, AccountabilityCatalogue)
    def get(self):
        """K1–K13, the three severities and the sanctions each allows (the seed's table)."""
        severities = [{"code": code, "label": render(label), "sanctions": [
            {"code": s, "label": render(catalogue.SANCTIONS[s])}
            for s in catalogue.ALLOWED[code]]} for code, label in catalogue.SEVERITIES.items()]
        return {"circumstances": _codes(catalogue.CIRCUMSTANCES), "severities": severities,
                "subject_kinds": _codes(catalogue.SUBJECT_KINDS),
                "statuses": _codes(catalogue.STATUSES),
                "evidence_types": _codes(catalogue.EVIDENCE_TYPES), "combinable": True}


@blp.route("/cases")
class Cases(MethodView):
    @requires(READ)
    @blp.arguments(AccountabilityCaseQuery, location="query")
    @blp.response(200, AccountabilityCase(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Cases, newest first. The page read is audited with the ids it showed."""
        statement = select(Case)
        if not query["include_archived"]:
            statement = statement.where(Case.archived_at.is_(None))
        for name in ("status", "subject_unit_id"):
            if name in query:
                statement = statement.where(getattr(Case, name) == query[name])
        sess = session()
        pagination_parameters.item_count = sess.scalar(
            select(func.count()).select_from(statement.subquery()))
        cases = list(sess.scalars(
            statement.order_by(Case.opened_on.desc(), Case.id.desc())
            .limit(pagination_parameters.page_size)
            .offset(pagination_parameters.first_item)))
        audit_event(sess, READ, TARGET, None,
                    after={"listed": [str(case.id) for case in cases],
                           "page": pagination_parameters.page})
        sess.commit()
        return cases

    @requires("accountability.case.write")
    @blp.arguments(AccountabilityCaseIn)
    @blp.response(201, AccountabilityCase)
    def post(self, data):
        """Open a case (a leader's decision), citing evidence by reference if any."""
        try:
            case = services.open_case(session(), data)
        except services.CaseError as error:
            _fail(error)
        return _done(case)


@blp.route("/cases/<uuid:case_id>")
class CaseItem(MethodView):
    @requires(READ)
    @blp.etag
    @blp.response(200, AccountabilityCase)
    def get(self, case_id):
        """One case with the evidence it cites; the read is audited."""
        return _read(_case_or_404(case_id))

    @requires("accountability.case.write")
    @blp.etag
    @blp.arguments(AccountabilityCasePatch)
    @blp.response(200, AccountabilityCase)
    def patch(self, data, case_id):
        """Correct subject, circumstances or facts before the decision (If-Match)."""
        case = _case_or_404(case_id)
        blp.check_etag(case, AccountabilityCase)
        try:
            services.update_case(session(), case, data)
        except services.CaseError as error:
            _fail(error)
        return _done(case)

    @requires("accountability.case.write")
    @blp.etag
    @blp.response(204)
    def delete(self, case_id):
        """Archive a case opened in error, before any decision (If-Match)."""
        case = _case_or_404(case_id)
        blp.check_etag(case, AccountabilityCase)
        try:
            services.archive(session(), case)
        except services.CaseError as error:
            _fail(error)
        session().commit()


@blp.route("/cases/<uuid:case_id>/evidence")
class Evidence(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityRefIn)
    @blp.response(201, AccountabilityLink)
    def post(self, data, case_id):
        """Cite a record: an overdue obligation ("obligation"), an inspection finding
        ("inspection.finding") or an incident ("platforms.incident")."""
        case = _case_or_404(case_id)
        try:
            link = services.cite(session(), case, data)
        except services.CaseError as error:
            _fail(error)
        session().commit()
        return link


@blp.route("/cases/<uuid:case_id>/evidence/<uuid:link_id>")
class EvidenceItem(MethodView):
    @requires("accountability.case.write")
    @blp.response(204)
    def delete(self, case_id, link_id):
        """Stop citing a record (the link is archived, not deleted)."""
        case = _case_or_404(case_id)
        link = session().scalar(select(CaseLink).where(CaseLink.id == link_id,
                                                       CaseLink.case_id == case.id))
        if link is None:
            not_found()
        try:
            services.uncite(session(), case, link)
        except services.CaseError as error:
            _fail(error)
        session().commit()


def _move(step, case_id, data, *extra) -> Case:
    case = _case_or_404(case_id)
    try:
        step(session(), case, data, *extra)
    except services.CaseError as error:
        _fail(error)
    return _done(case)


@blp.route("/cases/<uuid:case_id>/investigation")
class CaseInvestigation(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityInvestigationIn)
    @blp.response(200, AccountabilityCase)
    def post(self, data, case_id):
        """Start the investigation (opened → investigating)."""
        return _move(services.investigate, case_id, data)


@blp.route("/cases/<uuid:case_id>/decision")
class CaseDecision(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityDecisionIn)
    @blp.response(200, AccountabilityCase)
    def post(self, data, case_id):
        """Decide (investigating → decided): a severity and one or more sanctions it
        allows, singly or combined; a sanction outside the severity is 422 and nothing is
        written."""
        return _move(services.decide, case_id, data)


@blp.route("/cases/<uuid:case_id>/referral")
class CaseReferral(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityReferralIn)
    @blp.response(200, AccountabilityCase)
    def post(self, data, case_id):
        """Refer the decided case to the district discipline commission (decided →
        referred), with the date and the body referred to."""
        return _move(services.refer, case_id, data, _settings())


@blp.route("/cases/<uuid:case_id>/closure")
class CaseClosure(MethodView):
    @requires("accountability.case.write")
    @blp.arguments(AccountabilityClosureIn)
    @blp.response(200, AccountabilityCase)
    def post(self, data, case_id):
        """Close: after a decision or referral, or from the investigation with a note
        saying why (e.g. no responsibility found)."""
        return _move(services.close, case_id, data)


@blp.route("/alerts")
class Alerts(MethodView):
    @requires("accountability.alert.read")
    @blp.arguments(AccountabilityAlertQuery, location="query")
    @blp.response(200, AccountabilityAlerts)
    def get(self, query):
        """Overdue obligations past the township's threshold and overdue rectifications,
        for a leader to review. Nothing here opens a case."""
        tenant = require_tenant()
        period = parse_period(query["period"]) if "period" in query else \
            period_of("year", local_today(tenant.timezone))
        result = alerts.alerts(session(), period, _settings(), utcnow())
        session().commit()  # periods materialised on first read, as the summary does
        return result
