"""API schemas. Names carry the module's name: the OpenAPI document has one namespace.
Labels (domains, kinds) are stored as keys and served per ``Accept-Language``. Dumping
never queries: what a record shows beside its columns (sections, missing domains, whether
it counts, a date's obligation) comes computed from the services (``show_page``)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma

from zerenzhi import InputSchema, ListQuery, render
from zerenzhi.plugins.analysis.calendar import contribution_status
from zerenzhi.plugins.analysis.rules import (
    DATE_KINDS,
    DOMAIN_KEYS,
    DOMAINS,
    HALF_YEAR,
    KINDS,
    SENSITIVE_DATE,
)

DAYS = ma.validate.Range(min=dt.date(2000, 1, 1), max=dt.date(2100, 12, 31),
                         error="a date between 2000 and 2100")
TITLE = ma.validate.Length(min=1, max=200)
TEXT = ma.validate.Length(max=20000)
PERIOD = ma.validate.Regexp(r"^\d{4}H[12]$", error="a half-year such as 2026H1")
RULES_OF_KIND = {"half_year": HALF_YEAR.key, "forward_looking": SENSITIVE_DATE.key}


def _domains(keys: list[str]) -> list[dict]:
    return [{"domain": key, "label": render(DOMAINS[key])} for key in keys]


class AnalysisDomain(ma.Schema):
    domain = ma.fields.String(metadata={"enum": list(DOMAIN_KEYS)})
    label = ma.fields.String()
    required = ma.fields.Boolean()


class AnalysisSection(ma.Schema):
    domain = ma.fields.String(metadata={"enum": list(DOMAIN_KEYS)})
    domain_label = ma.fields.Function(lambda s: render(DOMAINS[s.domain]),
                                      metadata={"type": "string"})
    mainstream = ma.fields.String(metadata={"description": "主流: the mainstream situation"})
    minor_currents = ma.fields.String(metadata={"description": "支流: minor currents"})
    prominent_problems = ma.fields.String(metadata={"description": "突出問題"})
    proposed_measures = ma.fields.String(metadata={"description": "對策建議"})
    updated_at = ma.fields.DateTime()


class AnalysisSectionIn(InputSchema):
    mainstream = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20000))
    minor_currents = ma.fields.String(load_default="", validate=TEXT)
    prominent_problems = ma.fields.String(load_default="", validate=TEXT)
    proposed_measures = ma.fields.String(load_default="", validate=TEXT)


class AnalysisSectionNew(AnalysisSectionIn):
    domain = ma.fields.String(required=True, validate=ma.validate.OneOf(DOMAIN_KEYS))


class AnalysisApproval(ma.Schema):
    at = ma.fields.DateTime()
    by = ma.fields.UUID(allow_none=True)
    name = ma.fields.String(allow_none=True)
    role = ma.fields.String()


class AnalysisRecord(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"enum": list(KINDS)})
    kind_label = ma.fields.Function(lambda a: render(KINDS[a.kind]), metadata={"type": "string"})
    title = ma.fields.String()
    held_on = ma.fields.Date()
    period = ma.fields.String(metadata={
        "description": "the half-year it covers and counts for (A2); default the half-year "
                       "of held_on"})
    subject = ma.fields.String(metadata={"description": "field or group (ad-hoc analyses)"})
    summary = ma.fields.String()
    unit_id = ma.fields.UUID(metadata={"description": "the committee (A1)"})
    sensitive_date_id = ma.fields.UUID(allow_none=True)
    sections = ma.fields.List(ma.fields.Nested(AnalysisSection))
    required_domains = ma.fields.Function(lambda a: _domains(a.required_domains), metadata={
        "type": "array", "items": {"type": "object"},
        "description": "domains the township requires (half-year analyses; A2)"})
    missing_domains = ma.fields.Function(lambda a: _domains(a.missing_domains), metadata={
        "type": "array", "items": {"type": "object"},
        "description": "required domains without a section: the analysis does not count "
                       "until they are covered"})
    complete = ma.fields.Function(lambda a: not a.missing_domains, metadata={"type": "boolean"})
    approval = ma.fields.Method("_approval", metadata={"type": "object", "nullable": True})
    counts = ma.fields.Boolean(dump_only=True, metadata={
        "description": "whether it counts toward its rule now"})
    rule = ma.fields.Function(lambda a: RULES_OF_KIND.get(a.kind),
                              metadata={"type": "string", "nullable": True})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    archived_at = ma.fields.DateTime(allow_none=True)

    def _approval(self, analysis) -> dict | None:
        if analysis.approved_at is None:
            return None
        return AnalysisApproval().dump({"at": analysis.approved_at, "by": analysis.approved_by,
                                        "name": analysis.approved_by_name,
                                        "role": analysis.approver_role})


class AnalysisIn(InputSchema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(list(KINDS)))
    title = ma.fields.String(required=True, validate=TITLE)
    held_on = ma.fields.Date(required=True, validate=DAYS, metadata={
        "description": "when the committee held it; a late one shows as late"})
    period = ma.fields.String(load_default=None, validate=PERIOD, metadata={
        "description": "the half-year it covers (A2), e.g. 2026H1 for one held on 3 July; "
                       "default the half-year of held_on; never a later one, nor one "
                       "ending before the township went live"})
    subject = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    summary = ma.fields.String(load_default="", validate=TEXT)
    sensitive_date_id = ma.fields.UUID(load_default=None, allow_none=True)
    sections = ma.fields.List(ma.fields.Nested(AnalysisSectionNew), load_default=list,
                              validate=ma.validate.Length(max=len(DOMAIN_KEYS)))


class AnalysisPatch(InputSchema):
    title = ma.fields.String(validate=TITLE)
    held_on = ma.fields.Date(validate=DAYS)
    period = ma.fields.String(validate=PERIOD, metadata={
        "description": "the half-year it covers; when left out, a period that was the "
                       "half-year of held_on follows a new held_on"})
    subject = ma.fields.String(validate=ma.validate.Length(max=200))
    summary = ma.fields.String(validate=TEXT)
    sensitive_date_id = ma.fields.UUID(allow_none=True)


class AnalysisQuery(ListQuery):
    kind = ma.fields.String(validate=ma.validate.OneOf(list(KINDS)))
    period = ma.fields.String(validate=PERIOD)
    sensitive_date_id = ma.fields.UUID()


class AnalysisContribution(ma.Schema):
    id = ma.fields.UUID()
    analysis_id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    due_on = ma.fields.Date()
    request = ma.fields.String()
    contact_member_id = ma.fields.UUID(allow_none=True, metadata={
        "description": "the person the unit named to supply it (A1: 指定專人); null: none"})
    contact_name = ma.fields.String(allow_none=True)
    content = ma.fields.String(allow_none=True)
    submitted_at = ma.fields.DateTime(allow_none=True)
    submitted_by = ma.fields.UUID(allow_none=True)
    submitted_by_name = ma.fields.String(allow_none=True)
    status = ma.fields.Function(contribution_status, metadata={
        "type": "string", "enum": ["pending", "overdue", "submitted", "submitted_late"]})
    late = ma.fields.Function(
        lambda c: contribution_status(c) in ("overdue", "submitted_late"),
        metadata={"type": "boolean"})
    created_at = ma.fields.DateTime()
    archived_at = ma.fields.DateTime(allow_none=True)


class AnalysisContributionIn(InputSchema):
    unit_id = ma.fields.UUID(required=True)
    due_on = ma.fields.Date(load_default=None, allow_none=True, validate=DAYS, metadata={
        "description": "default: today + the contribution_days setting"})
    request = ma.fields.String(load_default="", validate=TEXT)
    contact_member_id = ma.fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "the unit's named person (A1); default: the information_contacts "
                       "setting's for the unit"})


class AnalysisSubmissionIn(InputSchema):
    content = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20000))


class AnalysisContributionQuery(ListQuery):
    unit_id = ma.fields.UUID()
    status = ma.fields.String(validate=ma.validate.OneOf(
        ["pending", "overdue", "submitted", "submitted_late"]))
    late = ma.fields.Boolean(metadata={"description": "overdue or submitted late"})


class AnalysisSensitiveDate(ma.Schema):
    id = ma.fields.UUID()
    falls_on = ma.fields.Date()
    kind = ma.fields.String(metadata={"enum": list(DATE_KINDS)})
    kind_label = ma.fields.Function(lambda d: render(DATE_KINDS[d.kind]),
                                    metadata={"type": "string"})
    title = ma.fields.String()
    description = ma.fields.String()
    unit_id = ma.fields.UUID()
    inherited = ma.fields.Function(lambda d: d.county_date_id is not None, metadata={
        "type": "boolean", "description": "from the county's calendar (read-only here)"})
    obligation = ma.fields.Raw(dump_only=True, allow_none=True, metadata={
        "type": "object", "nullable": True,
        "description": "the analysis.sensitive_date obligation: id, status, due_at"})
    analysis_ids = ma.fields.List(ma.fields.UUID(), dump_only=True)
    created_at = ma.fields.DateTime()
    archived_at = ma.fields.DateTime(allow_none=True)


class AnalysisSensitiveDateIn(InputSchema):
    falls_on = ma.fields.Date(required=True, validate=DAYS)
    title = ma.fields.String(required=True, validate=TITLE)
    kind = ma.fields.String(load_default="sensitive_date",
                            validate=ma.validate.OneOf(list(DATE_KINDS)))
    description = ma.fields.String(load_default="", validate=TEXT)


class AnalysisSensitiveDatePatch(InputSchema):
    falls_on = ma.fields.Date(validate=DAYS)
    title = ma.fields.String(validate=TITLE)
    kind = ma.fields.String(validate=ma.validate.OneOf(list(DATE_KINDS)))
    description = ma.fields.String(validate=TEXT)


class AnalysisSensitiveDateQuery(ListQuery):
    start = ma.fields.Date(data_key="from", validate=DAYS)
    end = ma.fields.Date(data_key="to", validate=DAYS)
