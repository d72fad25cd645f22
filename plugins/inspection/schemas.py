"""API schemas (names carry the module's name). Catalogue labels are served per
``Accept-Language``; checklist texts likewise (zh stored Traditional, en given).

Dumping never queries: what a record shows beside its columns (a campaign's coverage, an
obligation's status, a cited record) is computed by the services for a whole page and
handed over as plain values (``common.Shown``)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma

from zerenzhi import InputSchema, Label, ListQuery, QuerySchema, not_in_future, render
from zerenzhi.plugins.inspection.rules import ANSWERS, METHODS, RATINGS, SEVERITIES

DAYS = ma.validate.Range(min=dt.date(2000, 1, 1), max=dt.date(2100, 12, 31),
                         error="a date between 2000 and 2100")
DONE_ON = (DAYS, not_in_future)  # evidence: what was done is dated no later than today
TITLE = ma.validate.Length(min=1, max=200)
NAME = ma.validate.Length(max=200)
TEXT = ma.validate.Length(max=20000)
REQUIRED_TEXT = ma.validate.Length(min=1, max=20000)
PERIOD = ma.validate.Regexp(r"^\d{4}H[12]$", error="a half-year such as 2026H1")
FINDING_STATUSES = ["no_plan", "rectifying", "awaiting_verification", "overdue", "verified",
                    "effective", "not_effective", "archived"]


def _computed(**metadata) -> ma.fields.Raw:
    """A value the services computed as plain JSON (an object or None)."""
    return ma.fields.Raw(dump_only=True, metadata={"type": "object", **metadata})


class InspectionNotCovered(ma.Schema):
    unit_id = ma.fields.UUID()
    code = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()


class InspectionCoverage(ma.Schema):
    """I2's combination: every unit's self-inspection, and key, written and on-site checks."""

    units = ma.fields.Integer(metadata={"description": "villages and stations in scope"})
    covered = ma.fields.Integer(metadata={"description": "units whose self-inspection is in"})
    complete = ma.fields.Boolean(metadata={"description": "every unit self-inspected and "
                                                          "every office method used (I2)"})
    not_covered = ma.fields.List(ma.fields.Nested(InspectionNotCovered), metadata={
        "description": "villages and stations without a submitted self-inspection"})
    methods_missing = ma.fields.List(ma.fields.String(), metadata={
        "description": "office methods not yet used: key, written, on_site"})
    completed_on = ma.fields.Date(allow_none=True)


COVERAGE = InspectionCoverage()


class InspectionCampaign(ma.Schema):
    id = ma.fields.UUID()
    title = ma.fields.String()
    period = ma.fields.String(metadata={
        "description": "the half-year it covers and counts for (I1); default the half-year "
                       "of started_on"})
    unit_id = ma.fields.UUID(metadata={"description": "the office leading it (I1)"})
    started_on = ma.fields.Date()
    ended_on = ma.fields.Date(allow_none=True)
    finished = ma.fields.Function(lambda c: c.ended_on is not None, metadata={"type": "boolean"})
    plan = ma.fields.String()
    coverage = ma.fields.Method("_coverage", metadata={
        "type": "object", "description": "I2's combination so far: the campaign counts once "
                                         "not_covered and methods_missing are empty"})
    counts = ma.fields.Boolean(dump_only=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    archived_at = ma.fields.DateTime(allow_none=True)

    def _coverage(self, campaign) -> dict:
        return COVERAGE.dump(campaign.coverage)


class InspectionCampaignIn(InputSchema):
    title = ma.fields.String(required=True, validate=TITLE)
    started_on = ma.fields.Date(required=True, validate=DAYS)
    period = ma.fields.String(load_default=None, validate=PERIOD, metadata={
        "description": "the half-year it covers (I1), e.g. 2026H1 for one started on 2 July; "
                       "default the half-year of started_on; never a later one, nor one "
                       "ending before the township went live"})
    ended_on = ma.fields.Date(load_default=None, allow_none=True, validate=DAYS)
    plan = ma.fields.String(load_default="", validate=TEXT)
    unit_id = ma.fields.UUID(load_default=None, allow_none=True,
                             metadata={"description": "the office (default: the township's)"})


class InspectionCampaignPatch(InputSchema):
    title = ma.fields.String(validate=TITLE)
    started_on = ma.fields.Date(validate=DAYS)
    period = ma.fields.String(validate=PERIOD, metadata={
        "description": "the half-year it covers; when left out, a period that was the "
                       "half-year of started_on follows a new started_on"})
    ended_on = ma.fields.Date(allow_none=True, validate=DAYS,
                              metadata={"description": "set when the campaign is finished"})
    plan = ma.fields.String(validate=TEXT)


class InspectionCampaignQuery(ListQuery):
    period = ma.fields.String(validate=ma.validate.Regexp(r"^\d{4}H[12]$"))


class InspectionCheck(ma.Schema):
    id = ma.fields.UUID()
    campaign_id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    method = ma.fields.String(metadata={"enum": list(METHODS)})
    method_label = ma.fields.Function(lambda c: render(METHODS[c.method]),
                                      metadata={"type": "string"})
    checked_on = ma.fields.Date()
    inspectors = ma.fields.String()
    notes = ma.fields.String()
    answers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    submitted_at = ma.fields.DateTime(allow_none=True)
    covers = ma.fields.Function(lambda c: c.archived_at is None and c.submitted_at is not None,
                                metadata={"type": "boolean",
                                          "description": "whether it counts (I2): a "
                                          "submitted self-inspection covers its unit, an "
                                          "office check counts for its method"})
    created_at = ma.fields.DateTime()
    archived_at = ma.fields.DateTime(allow_none=True)


ANSWER_MAP = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=40)),
                            values=ma.fields.String(validate=ma.validate.OneOf(ANSWERS)),
                            load_default=dict, metadata={"description": "item key → yes/no/na"})


class InspectionCheckIn(InputSchema):
    unit_id = ma.fields.UUID(required=True)
    method = ma.fields.String(required=True,
                              validate=ma.validate.OneOf(["key", "written", "on_site"]))
    checked_on = ma.fields.Date(load_default=None, allow_none=True, validate=DONE_ON)
    inspectors = ma.fields.String(load_default="", validate=NAME)
    notes = ma.fields.String(load_default="", validate=TEXT)


class InspectionSelfInspectionIn(InputSchema):
    unit_id = ma.fields.UUID(required=True)
    answers = ANSWER_MAP
    notes = ma.fields.String(load_default="", validate=TEXT)
    submit = ma.fields.Boolean(load_default=False,
                               metadata={"description": "submit now (every item answered)"})


class InspectionSubmissionIn(InputSchema):
    answers = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=40)),
                             values=ma.fields.String(validate=ma.validate.OneOf(ANSWERS)),
                             load_default=dict)


class InspectionCheckQuery(ListQuery):
    unit_id = ma.fields.UUID()
    method = ma.fields.String(validate=ma.validate.OneOf(list(METHODS)))


class InspectionChecklistItem(ma.Schema):
    key = ma.fields.String()
    label = ma.fields.Function(lambda i: render(Label(i["text"], i.get("text_en") or i["text"])),
                               metadata={"type": "string"})
    source = ma.fields.String()
    rule = ma.fields.String(allow_none=True)
    obligation_status = ma.fields.String(allow_none=True)
    suggested = ma.fields.String(allow_none=True, metadata={
        "description": "pre-filled from the linked rule's obligation status"})


class InspectionPrefillQuery(QuerySchema):
    unit_id = ma.fields.UUID(required=True)


class InspectionRating(ma.Schema):
    id = ma.fields.UUID()
    campaign_id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    rating = ma.fields.String(metadata={"enum": list(RATINGS)})
    rating_label = ma.fields.Function(lambda r: render(RATINGS[r.rating]),
                                      metadata={"type": "string"})
    rated_on = ma.fields.Date()
    note = ma.fields.String()
    interview_obligation = _computed(nullable=True,
                                     description="inspection.interview: id, status, due_at")
    archived_at = ma.fields.DateTime(allow_none=True)


class InspectionRatingIn(InputSchema):
    unit_id = ma.fields.UUID(required=True)
    rating = ma.fields.String(required=True, validate=ma.validate.OneOf(list(RATINGS)))
    rated_on = ma.fields.Date(load_default=None, allow_none=True, validate=DONE_ON)
    note = ma.fields.String(load_default="", validate=TEXT)


class InspectionScore(ma.Schema):
    unit_id = ma.fields.UUID()
    unit_code = ma.fields.String()
    unit_name = ma.fields.String()
    self_inspection_submitted = ma.fields.Boolean()
    checklist_rate = ma.fields.Float()
    rating = ma.fields.String(allow_none=True)
    rating_rate = ma.fields.Float()
    findings = ma.fields.Integer()
    deducted = ma.fields.Float()
    findings_rate = ma.fields.Float()
    score = ma.fields.Float(metadata={"description": "0–100; formula in the operation text"})


class InspectionInterview(ma.Schema):
    id = ma.fields.UUID()
    rating_id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    held_on = ma.fields.Date()
    held_by = ma.fields.String()
    held_by_member_id = ma.fields.UUID(allow_none=True)
    interviewee = ma.fields.String()
    content = ma.fields.String()
    commitments = ma.fields.String()
    created_at = ma.fields.DateTime()
    archived_at = ma.fields.DateTime(allow_none=True)


class InspectionInterviewIn(InputSchema):
    rating_id = ma.fields.UUID(required=True)
    held_on = ma.fields.Date(required=True, validate=DAYS)
    content = ma.fields.String(required=True, validate=REQUIRED_TEXT)
    commitments = ma.fields.String(load_default="", validate=TEXT)
    held_by = ma.fields.String(load_default=None, allow_none=True, validate=NAME,
                               metadata={"description": "default: the caller"})
    interviewee = ma.fields.String(load_default=None, allow_none=True, validate=NAME,
                                   metadata={"description": "default: the unit's head"})


class InspectionInterviewQuery(ListQuery):
    unit_id = ma.fields.UUID()


class InspectionSource(InputSchema):
    type = ma.fields.String(required=True, validate=ma.validate.Regexp(
        r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$"), metadata={"example": "analysis.analysis"})
    id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=60))


class InspectionFinding(ma.Schema):
    id = ma.fields.UUID()
    campaign_id = ma.fields.UUID(allow_none=True)
    unit_id = ma.fields.UUID()
    severity = ma.fields.String(metadata={"enum": list(SEVERITIES)})
    severity_label = ma.fields.Function(lambda f: render(SEVERITIES[f.severity]),
                                        metadata={"type": "string"})
    found_on = ma.fields.Date()
    description = ma.fields.String()
    evidence = ma.fields.String()
    root_cause = ma.fields.String()
    source = _computed(nullable=True)
    plan = ma.fields.String()
    owner = ma.fields.String()
    deadline = ma.fields.Date(allow_none=True)
    rectification_obligation = _computed(nullable=True)
    status = ma.fields.String(dump_only=True, metadata={"enum": FINDING_STATUSES})
    rectified_on = ma.fields.Date(allow_none=True)
    rectification_evidence = ma.fields.String()
    verified_at = ma.fields.DateTime(allow_none=True)
    verified_by = ma.fields.UUID(allow_none=True)
    verified_by_name = ma.fields.String(allow_none=True)
    verification_note = ma.fields.String()
    effectiveness = ma.fields.String(allow_none=True)
    effectiveness_checked_on = ma.fields.Date(allow_none=True)
    effectiveness_note = ma.fields.String()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    archived_at = ma.fields.DateTime(allow_none=True)


class InspectionFindingIn(InputSchema):
    unit_id = ma.fields.UUID(required=True)
    severity = ma.fields.String(required=True, validate=ma.validate.OneOf(list(SEVERITIES)))
    description = ma.fields.String(required=True, validate=REQUIRED_TEXT)
    campaign_id = ma.fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "empty for a finding raised outside a campaign"})
    found_on = ma.fields.Date(load_default=None, allow_none=True, validate=DONE_ON)
    evidence = ma.fields.String(load_default="", validate=TEXT)
    root_cause = ma.fields.String(load_default="", validate=TEXT)
    source = ma.fields.Nested(InspectionSource, load_default=None, allow_none=True, metadata={
        "description": "the record it came from, e.g. {type: analysis.analysis, id}"})
    plan = ma.fields.String(load_default="", validate=TEXT)
    owner = ma.fields.String(load_default="", validate=NAME)
    deadline = ma.fields.Date(load_default=None, allow_none=True, validate=DAYS)


class InspectionFindingPatch(InputSchema):
    severity = ma.fields.String(validate=ma.validate.OneOf(list(SEVERITIES)))
    description = ma.fields.String(validate=REQUIRED_TEXT)
    found_on = ma.fields.Date(validate=DONE_ON)
    evidence = ma.fields.String(validate=TEXT)
    root_cause = ma.fields.String(validate=TEXT)
    plan = ma.fields.String(validate=TEXT)
    owner = ma.fields.String(validate=NAME)
    deadline = ma.fields.Date(validate=DAYS)


class InspectionFindingQuery(ListQuery):
    campaign_id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    overdue = ma.fields.Boolean(metadata={"description": "unverified past the deadline"})
    open = ma.fields.Boolean(metadata={"description": "not yet verified"})


class InspectionRectificationIn(InputSchema):
    evidence = ma.fields.String(required=True, validate=REQUIRED_TEXT)
    rectified_on = ma.fields.Date(load_default=None, allow_none=True, validate=DONE_ON)


class InspectionVerificationIn(InputSchema):
    accepted = ma.fields.Boolean(required=True)
    note = ma.fields.String(load_default="", validate=TEXT)


class InspectionEffectivenessIn(InputSchema):
    effective = ma.fields.Boolean(required=True)
    note = ma.fields.String(load_default="", validate=TEXT)
    checked_on = ma.fields.Date(load_default=None, allow_none=True, validate=DONE_ON)
