"""API schemas of the accountability module (names carry the module's name)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma

from zerenzhi import InputSchema, ListQuery, QuerySchema, not_in_future, render
from zerenzhi.plugins.accountability.catalogue import (
    CIRCUMSTANCES,
    EVIDENCE_TYPES,
    SANCTIONS,
    SEVERITIES,
    STATUSES,
    SUBJECT_KINDS,
)

DAY = ma.validate.Range(min=dt.date(2000, 1, 1), max=dt.date(2099, 12, 31))
DONE_ON = (DAY, not_in_future)  # what happened is dated no later than today
PERIOD = ma.validate.Regexp(r"^20\d\d(H[12]|Q[1-4]|-(0[1-9]|1[0-2]))?$",
                            error="a period: YYYY, YYYYH1, YYYYQ3 or YYYY-MM")
STRING = {"type": "string"}


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("cannot be blank")


def _text(limit: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=[ma.validate.Length(min=1, max=limit), _not_blank], **kwargs)


def _optional(limit: int) -> ma.fields.String:
    return ma.fields.String(allow_none=True, validate=ma.validate.Length(max=limit))


def _codes(table: dict, **kwargs) -> ma.fields.List:
    def unique(values: list) -> None:
        if len(set(values)) != len(values):
            raise ma.ValidationError("each code once")

    return ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(table))),
                          validate=[ma.validate.Length(min=1, max=len(table)), unique], **kwargs)


def _label(field: str, table: dict) -> ma.fields.Function:
    def render_code(obj) -> str | None:
        code = getattr(obj, field)
        return None if code is None else render(table[code])

    return ma.fields.Function(render_code, dump_only=True,
                              metadata={"type": "string", "nullable": True})


def _labels(field: str, table: dict) -> ma.fields.Function:
    return ma.fields.Function(lambda obj: [render(table[c]) for c in getattr(obj, field)],
                              dump_only=True, metadata={"type": "array", "items": STRING})


# --- reference data ---------------------------------------------------------------------


class AccountabilityCode(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String()


class AccountabilitySeverity(AccountabilityCode):
    sanctions = ma.fields.List(ma.fields.Nested(AccountabilityCode),
                               metadata={"description": "its own sanctions (the text's table)"})
    combines_with = ma.fields.List(ma.fields.String(), metadata={
        "description": "the lighter severities whose sanctions it may add (decision 0020)"})


class AccountabilityCatalogue(ma.Schema):
    circumstances = ma.fields.List(ma.fields.Nested(AccountabilityCode),
                                   metadata={"description": "K1–K13"})
    severities = ma.fields.List(ma.fields.Nested(AccountabilitySeverity),
                                metadata={"description": "each with the sanctions it allows"})
    subject_kinds = ma.fields.List(ma.fields.Nested(AccountabilityCode))
    statuses = ma.fields.List(ma.fields.Nested(AccountabilityCode))
    evidence_types = ma.fields.List(ma.fields.Nested(AccountabilityCode))
    combinable = ma.fields.Boolean(metadata={
        "description": "sanctions may be applied singly or combined: a severity's own, with "
                       "those of lighter severities, never a heavier one's"})
    cadre_circumstances = ma.fields.List(ma.fields.String(), metadata={
        "description": "K codes whose subject is a party-member leading cadre, named as a "
                       "member (K10–K12)"})


# --- cases ------------------------------------------------------------------------------


class AccountabilityRefIn(InputSchema):
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(list(EVIDENCE_TYPES)),
                            metadata={"description": "a core reference type"})
    id = _text(60, required=True)
    note = _optional(500)


class AccountabilityLink(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    ref_type = ma.fields.String()
    ref_id = ma.fields.String()
    title = ma.fields.String(metadata={"description": "as described when it was cited"})
    status = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class AccountabilityCase(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    title = ma.fields.String()
    subject_kind = ma.fields.String(metadata={"enum": list(SUBJECT_KINDS)})
    subject_kind_label = _label("subject_kind", SUBJECT_KINDS)
    subject_unit_id = ma.fields.UUID()
    subject_member_id = ma.fields.UUID(allow_none=True)
    subject_name = ma.fields.String(allow_none=True)
    subject_post = ma.fields.String(allow_none=True)
    circumstances = ma.fields.List(ma.fields.String())
    circumstance_labels = _labels("circumstances", CIRCUMSTANCES)
    facts = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    status_label = _label("status", STATUSES)
    opened_on = ma.fields.Date()
    investigation_started_on = ma.fields.Date(allow_none=True)
    investigation_note = ma.fields.String(allow_none=True)
    severity = ma.fields.String(allow_none=True)
    severity_label = _label("severity", SEVERITIES)
    sanctions = ma.fields.List(ma.fields.String())
    sanction_labels = _labels("sanctions", SANCTIONS)
    decided_on = ma.fields.Date(allow_none=True)
    decision_reasoning = ma.fields.String(allow_none=True)
    referred_on = ma.fields.Date(allow_none=True)
    referred_to = ma.fields.String(allow_none=True)
    referral_reference = ma.fields.String(allow_none=True)
    outcome_on = ma.fields.Date(allow_none=True, metadata={
        "description": "when the district discipline commission decided"})
    outcome_severity = ma.fields.String(allow_none=True)
    outcome_severity_label = _label("outcome_severity", SEVERITIES)
    outcome_sanctions = ma.fields.List(ma.fields.String())
    outcome_sanction_labels = _labels("outcome_sanctions", SANCTIONS)
    outcome_summary = ma.fields.String(allow_none=True)
    outcome_reference = ma.fields.String(allow_none=True)
    closed_on = ma.fields.Date(allow_none=True)
    closing_note = ma.fields.String(allow_none=True)
    evidence = ma.fields.List(ma.fields.Nested(AccountabilityLink), dump_only=True)
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class AccountabilityCasePatch(InputSchema):
    title = _text(200)
    subject_kind = ma.fields.String(validate=ma.validate.OneOf(list(SUBJECT_KINDS)))
    subject_unit_id = ma.fields.UUID()
    subject_member_id = ma.fields.UUID(allow_none=True)
    subject_name = _optional(100)
    subject_post = _optional(100)
    circumstances = _codes(CIRCUMSTANCES)
    facts = _text(20000)


class AccountabilityCaseIn(AccountabilityCasePatch):
    title = _text(200, required=True)
    subject_kind = ma.fields.String(required=True,
                                    validate=ma.validate.OneOf(list(SUBJECT_KINDS)))
    subject_unit_id = ma.fields.UUID(required=True, metadata={
        "description": "the unit whose leadership group, or where the cadre serves"})
    circumstances = _codes(CIRCUMSTANCES, required=True, metadata={"description": "K codes"})
    facts = _text(20000, required=True)
    opened_on = ma.fields.Date(validate=DONE_ON, metadata={"description": "default: today"})
    evidence = ma.fields.List(ma.fields.Nested(AccountabilityRefIn),
                              validate=ma.validate.Length(max=50))


class AccountabilityCaseQuery(ListQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(list(STATUSES)))
    subject_unit_id = ma.fields.UUID()


class AccountabilityInvestigationIn(InputSchema):
    started_on = ma.fields.Date(validate=DONE_ON, metadata={"description": "default: today"})
    note = _optional(5000)


class AccountabilityDecisionIn(InputSchema):
    severity = ma.fields.String(required=True, validate=ma.validate.OneOf(list(SEVERITIES)),
                                metadata={"description": "the severity the township proposes"})
    sanctions = _codes(SANCTIONS, required=True, metadata={
        "description": "one or more of the severity's own, combined with lighter ones if "
                       "wished"})
    decided_on = ma.fields.Date(validate=DONE_ON, metadata={"description": "default: today"})
    reasoning = _text(20000, required=True)


class AccountabilityReferralIn(InputSchema):
    referred_on = ma.fields.Date(validate=DONE_ON, metadata={"description": "default: today"})
    referred_to = ma.fields.String(validate=[ma.validate.Length(min=1, max=200), _not_blank],
                                   metadata={"description": "default: the settings' body "
                                                            "(區紀委)"})
    reference = _optional(120)


class AccountabilityOutcomeIn(InputSchema):
    decided_on = ma.fields.Date(validate=DONE_ON, metadata={
        "description": "when the commission decided; default: today"})
    severity = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(list(SEVERITIES)),
                                metadata={"description": "none: no one held responsible"})
    sanctions = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(list(SANCTIONS))),
        validate=ma.validate.Length(max=len(SANCTIONS)),
        metadata={"description": "as for the proposal: the severity's own, with lighter ones"})
    summary = _text(20000, required=True, metadata={"description": "the decision in words"})
    reference = _optional(120)


class AccountabilityClosureIn(InputSchema):
    closed_on = ma.fields.Date(validate=DONE_ON, metadata={"description": "default: today"})
    note = _optional(5000)


# --- alerts -----------------------------------------------------------------------------


class AccountabilityAlertQuery(QuerySchema):
    period = ma.fields.String(validate=PERIOD, metadata={"description": "default: this year"})


class AccountabilityPerson(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()


class AccountabilityReference(ma.Schema):
    type = ma.fields.String()
    id = ma.fields.String()


class AccountabilityAlert(ma.Schema):
    kind = ma.fields.String(metadata={"enum": ["overdue_obligation", "overdue_rectification"]})
    obligation_id = ma.fields.UUID()
    rule = ma.fields.String()
    title = ma.fields.String()
    source = ma.fields.String()
    unit_id = ma.fields.UUID()
    unit_code = ma.fields.String(allow_none=True)
    unit_name = ma.fields.String(allow_none=True)
    period = ma.fields.String(allow_none=True)
    due_at = ma.fields.DateTime()
    days_overdue = ma.fields.Integer()
    responsible_role = ma.fields.String()
    responsible = ma.fields.List(ma.fields.Nested(AccountabilityPerson))
    responsible_at_due = ma.fields.List(ma.fields.Nested(AccountabilityPerson), allow_none=True)
    reference = ma.fields.Nested(AccountabilityReference, metadata={
        "description": "cite it in a case's evidence"})
    cited_by = ma.fields.List(ma.fields.UUID(), metadata={"description": "cases citing it"})


class AccountabilityAlerts(ma.Schema):
    period = ma.fields.String()
    as_of = ma.fields.DateTime()
    overdue_alert_days = ma.fields.Integer()
    rectification_alert_days = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(AccountabilityAlert))
