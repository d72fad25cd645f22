"""API schemas of the platforms module. Names carry the module's name (one OpenAPI
namespace for all modules); coded fields come with a ``*_label`` in the caller's script."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma

from zerenzhi import InputSchema, ListQuery, QuerySchema, not_in_future, render
from zerenzhi.plugins.platforms.catalogue import (
    CHANNEL_KINDS,
    CHANNEL_STATUSES,
    ENTRY_KINDS,
    FILING_ACTIONS,
    INCIDENT_CATEGORIES,
    INCIDENT_STATUSES,
    SEVERITIES,
    UPDATE_FREQUENCIES,
)

# Finite bounds, so nonsense dates are 422 and never an overflow in period arithmetic.
DAY = ma.validate.Range(min=dt.date(2000, 1, 1), max=dt.date(2099, 12, 31))
MOMENT = ma.validate.Range(min=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                           max=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
DONE_ON, DONE_AT = (DAY, not_in_future), (MOMENT, not_in_future)  # evidence: not after today
QUARTER = ma.validate.Regexp(r"^20\d\dQ[1-4]$", error="a quarter like 2026Q2")
STRING = {"type": "string"}


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("cannot be blank")


def _text(limit: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=[ma.validate.Length(min=1, max=limit), _not_blank], **kwargs)


def _optional(limit: int) -> ma.fields.String:
    return ma.fields.String(allow_none=True, validate=ma.validate.Length(max=limit))


def _label(field: str, table: dict) -> ma.fields.Function:
    def render_code(obj) -> str:
        value = table[getattr(obj, field)]
        return render(value[1] if isinstance(value, tuple) else value)

    return ma.fields.Function(render_code, dump_only=True, metadata=STRING)


# --- the register -----------------------------------------------------------------------


class PlatformsFilingIn(InputSchema):
    filed_on = ma.fields.Date(required=True, validate=DONE_ON, metadata={
        "description": "the day the 備案 was made"})
    reference = _text(120, required=True, metadata={"description": "備案號 or document no."})
    filed_with = _optional(200)
    note = _optional(500)


class PlatformsFiling(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    channel_id = ma.fields.UUID()
    action = ma.fields.String(metadata={"enum": list(FILING_ACTIONS)})
    action_label = _label("action", FILING_ACTIONS)
    filed_on = ma.fields.Date()
    reference = ma.fields.String()
    filed_with = ma.fields.String(allow_none=True)
    changes = ma.fields.Dict(metadata={"description": "field -> [before, after]"})
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class PlatformsChannel(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    unit_id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"enum": list(CHANNEL_KINDS)})
    kind_label = _label("kind", CHANNEL_KINDS)
    name = ma.fields.String()
    account = ma.fields.String()
    responsible_member_id = ma.fields.UUID()
    status = ma.fields.String(metadata={"enum": list(CHANNEL_STATUSES)})
    status_label = _label("status", CHANNEL_STATUSES)
    status_since = ma.fields.Date()
    opened_on = ma.fields.Date()
    closed_on = ma.fields.Date(allow_none=True)
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class PlatformsChannelIn(InputSchema):
    unit_id = ma.fields.UUID(required=True, metadata={"description": "the owner unit"})
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(list(CHANNEL_KINDS)))
    name = _text(200, required=True)
    account = _text(200, required=True, metadata={
        "description": "URL, account id or group name"})
    responsible_member_id = ma.fields.UUID(required=True, metadata={
        "description": "a member holding a post in this township"})
    opened_on = ma.fields.Date(validate=DONE_ON, metadata={"description": "default: today"})
    filing = ma.fields.Nested(PlatformsFilingIn, required=True, metadata={
        "description": "the opening's 備案"})


class PlatformsChannelPatch(InputSchema):
    name = _text(200)
    account = _text(200)
    responsible_member_id = ma.fields.UUID()
    status = ma.fields.String(validate=ma.validate.OneOf(["active", "suspended"]), metadata={
        "description": "closing is POST .../closure"})
    filing = ma.fields.Nested(PlatformsFilingIn, required=True, metadata={
        "description": "the change's 備案"})


class PlatformsChannelClose(InputSchema):
    closed_on = ma.fields.Date(validate=DONE_ON, metadata={"description": "default: today"})
    filing = ma.fields.Nested(PlatformsFilingIn, required=True, metadata={
        "description": "the closing's 備案"})


class PlatformsChannelQuery(ListQuery):
    unit_id = ma.fields.UUID()
    kind = ma.fields.String(validate=ma.validate.OneOf(list(CHANNEL_KINDS)))
    status = ma.fields.String(validate=ma.validate.OneOf(list(CHANNEL_STATUSES)))


# --- reviews ----------------------------------------------------------------------------


class PlatformsReview(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    channel_id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    reviewed_on = ma.fields.Date()
    quarter = ma.fields.String()
    update_frequency = ma.fields.String(metadata={"enum": list(UPDATE_FREQUENCIES)})
    update_frequency_label = _label("update_frequency", UPDATE_FREQUENCIES)
    content_checked = ma.fields.String()
    problems_found = ma.fields.String(allow_none=True)
    rectification = ma.fields.String(allow_none=True)
    rectified_on = ma.fields.Date(allow_none=True)
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class PlatformsReviewPatch(InputSchema):
    reviewed_on = ma.fields.Date(validate=DONE_ON, metadata={
        "description": "decides the quarter it counts in"})
    update_frequency = ma.fields.String(validate=ma.validate.OneOf(list(UPDATE_FREQUENCIES)))
    content_checked = _text(5000)
    problems_found = _optional(5000)
    rectification = _optional(5000)
    rectified_on = ma.fields.Date(allow_none=True, validate=DONE_ON)


class PlatformsReviewIn(PlatformsReviewPatch):
    update_frequency = ma.fields.String(required=True,
                                        validate=ma.validate.OneOf(list(UPDATE_FREQUENCIES)))
    content_checked = _text(5000, required=True, metadata={
        "description": "what was checked (posts, messages, broadcasts…)"})


class PlatformsReviewQuery(ListQuery):
    channel_id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    quarter = ma.fields.String(validate=QUARTER)


class PlatformsCoverageQuery(QuerySchema):
    quarter = ma.fields.String(validate=QUARTER, metadata={"description": "default: now"})
    unit_id = ma.fields.UUID()


class PlatformsUnitCoverage(ma.Schema):
    unit_id = ma.fields.UUID()
    unit_code = ma.fields.String()
    unit_name = ma.fields.String()
    due = ma.fields.List(ma.fields.UUID(), metadata={"description": "channels due"})
    reviewed = ma.fields.List(ma.fields.UUID())
    missing = ma.fields.List(ma.fields.UUID())
    complete = ma.fields.Boolean()
    completed_on = ma.fields.Date(allow_none=True)


class PlatformsCoverage(ma.Schema):
    quarter = ma.fields.String()
    units = ma.fields.List(ma.fields.Nested(PlatformsUnitCoverage))


# --- incidents --------------------------------------------------------------------------


class PlatformsReportState(ma.Schema):
    required = ma.fields.Boolean()
    obligation_id = ma.fields.UUID(allow_none=True)
    due_at = ma.fields.DateTime(allow_none=True)
    first_report_at = ma.fields.DateTime(allow_none=True)
    late = ma.fields.Boolean(allow_none=True)
    state = ma.fields.String(metadata={"enum": ["not_required", "pending", "overdue",
                                                "on_time", "late", "reported"]})


class PlatformsLiaisonState(ma.Schema):
    required = ma.fields.Boolean()
    first_at = ma.fields.DateTime(allow_none=True)
    with_ = ma.fields.List(ma.fields.String(), data_key="with", attribute="with")
    state = ma.fields.String(metadata={"enum": ["not_required", "missing", "done"]})


class PlatformsIncident(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    unit_id = ma.fields.UUID()
    channel_id = ma.fields.UUID(allow_none=True)
    title = ma.fields.String()
    category = ma.fields.String(metadata={"enum": list(INCIDENT_CATEGORIES)})
    category_label = _label("category", INCIDENT_CATEGORIES)
    severity = ma.fields.String(metadata={"enum": list(SEVERITIES)})
    severity_label = _label("severity", SEVERITIES)
    description = ma.fields.String()
    detected_at = ma.fields.DateTime()
    recorded_at = ma.fields.DateTime()
    recording_lag_minutes = ma.fields.Integer(dump_only=True, metadata={
        "description": "P2: minutes from detection to recording (the report clock runs "
                       "from detected_at)"})
    status = ma.fields.String(metadata={"enum": list(INCIDENT_STATUSES)})
    status_label = _label("status", INCIDENT_STATUSES)
    report = ma.fields.Nested(PlatformsReportState, dump_only=True)
    liaison = ma.fields.Nested(PlatformsLiaisonState, dump_only=True, metadata={
        "description": "P3: liaison with higher departments (timeline entries of kind "
                       "liaison): when first, with whom"})
    summary = ma.fields.String(allow_none=True)
    closed_at = ma.fields.DateTime(allow_none=True)
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class PlatformsIncidentPatch(InputSchema):
    channel_id = ma.fields.UUID(allow_none=True)
    title = _text(200)
    category = ma.fields.String(validate=ma.validate.OneOf(list(INCIDENT_CATEGORIES)))
    severity = ma.fields.String(validate=ma.validate.OneOf(list(SEVERITIES)))
    description = _text(10000)
    detected_at = ma.fields.AwareDateTime(validate=DONE_AT)


class PlatformsIncidentIn(PlatformsIncidentPatch):
    unit_id = ma.fields.UUID(required=True, metadata={"description": "the unit concerned"})
    title = _text(200, required=True)
    category = ma.fields.String(required=True,
                                validate=ma.validate.OneOf(list(INCIDENT_CATEGORIES)))
    severity = ma.fields.String(required=True, validate=ma.validate.OneOf(list(SEVERITIES)))
    description = _text(10000, required=True)
    detected_at = ma.fields.AwareDateTime(required=True, validate=DONE_AT)


class PlatformsIncidentQuery(ListQuery):
    unit_id = ma.fields.UUID()
    status = ma.fields.String(validate=ma.validate.OneOf(list(INCIDENT_STATUSES)))
    severity = ma.fields.String(validate=ma.validate.OneOf(list(SEVERITIES)))
    category = ma.fields.String(validate=ma.validate.OneOf(list(INCIDENT_CATEGORIES)))


class PlatformsIncidentClose(InputSchema):
    summary = _text(10000, required=True, metadata={"description": "how it was handled"})
    closed_at = ma.fields.AwareDateTime(validate=DONE_AT, metadata={"description": "default: now"})


class PlatformsEntry(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    incident_id = ma.fields.UUID()
    at = ma.fields.DateTime()
    kind = ma.fields.String(metadata={"enum": list(ENTRY_KINDS)})
    kind_label = _label("kind", ENTRY_KINDS)
    actor = ma.fields.String()
    actor_member_id = ma.fields.UUID(allow_none=True)
    action = ma.fields.String()
    reported_to = ma.fields.String(allow_none=True)
    reference = ma.fields.String(allow_none=True)
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class PlatformsEntryIn(InputSchema):
    at = ma.fields.AwareDateTime(validate=DONE_AT, metadata={"description": "default: now"})
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(list(ENTRY_KINDS)))
    actor = _text(200, required=True, metadata={"description": "who (a post or department)"})
    actor_member_id = ma.fields.UUID(allow_none=True)
    action = _text(5000, required=True, metadata={"description": "what was done or reported"})
    reported_to = _optional(200)
    reference = _optional(120)


# --- reference data ---------------------------------------------------------------------


class PlatformsCode(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    clause = ma.fields.String(allow_none=True)


class PlatformsCatalogue(ma.Schema):
    channel_kinds = ma.fields.List(ma.fields.Nested(PlatformsCode))
    channel_statuses = ma.fields.List(ma.fields.Nested(PlatformsCode))
    filing_actions = ma.fields.List(ma.fields.Nested(PlatformsCode))
    update_frequencies = ma.fields.List(ma.fields.Nested(PlatformsCode))
    incident_categories = ma.fields.List(ma.fields.Nested(PlatformsCode))
    severities = ma.fields.List(ma.fields.Nested(PlatformsCode))
    entry_kinds = ma.fields.List(ma.fields.Nested(PlatformsCode))
    incident_statuses = ma.fields.List(ma.fields.Nested(PlatformsCode))
