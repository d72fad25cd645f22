"""API schemas; names carry the plugin's name (one OpenAPI namespace for all modules)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma

from zerenzhi import InputSchema, ListQuery, not_in_future, render
from zerenzhi.plugins.approvals.rules import KINDS, STATUSES

# Generous but finite, so a nonsense date is a 422, never an overflow in time-zone maths.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
MOMENT = ma.validate.Range(min=EARLIEST, max=LATEST)
DONE_AT = (MOMENT, not_in_future)  # a decision or a filing: not after today
FLAGS = ("late", "short_notice")


def _text(max_length: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(min=1, max=max_length), **kwargs)


class ApprovalsApplication(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    kind = ma.fields.String(validate=ma.validate.OneOf(list(KINDS)))
    kind_label = ma.fields.Method("_kind_label", metadata={"type": "string"})
    organiser_unit_id = ma.fields.UUID()
    responsible_person = ma.fields.String()
    title = ma.fields.String()
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime()
    venue = ma.fields.String()
    summary = ma.fields.String(metadata={"description": "content summary"})
    expected_participants = ma.fields.Integer()
    status = ma.fields.String(validate=ma.validate.OneOf(list(STATUSES)))
    status_label = ma.fields.Method("_status_label", metadata={"type": "string"})
    short_notice = ma.fields.Boolean(metadata={
        "description": "submitted fewer than min_notice_days before the start"})
    submitted_at = ma.fields.DateTime(allow_none=True)
    obligation_id = ma.fields.UUID(allow_none=True, metadata={
        "description": "the approvals.prior_approval obligation opened on submission (W6)"})
    decision = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    decided_by = ma.fields.UUID(allow_none=True)
    conditions = ma.fields.String(allow_none=True)
    approved_late = ma.fields.Boolean(metadata={
        "description": "approved on or after the planned start: W6 not met"})
    filed_at = ma.fields.DateTime(allow_none=True)
    filing_reference = ma.fields.String(allow_none=True)
    filed_with = ma.fields.String(allow_none=True)
    outcome_at = ma.fields.DateTime(allow_none=True)
    outcome_note = ma.fields.String(allow_none=True)
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()

    def _kind_label(self, application) -> str:
        return render(KINDS[application.kind])

    def _status_label(self, application) -> str:
        return render(STATUSES[application.status])


class ApprovalsApplicationPatch(InputSchema):
    kind = ma.fields.String(validate=ma.validate.OneOf(list(KINDS)))
    organiser_unit_id = ma.fields.UUID()
    responsible_person = _text(100)
    title = _text(200)
    starts_at = ma.fields.AwareDateTime(validate=MOMENT)
    ends_at = ma.fields.AwareDateTime(validate=MOMENT)
    venue = _text(200)
    summary = _text(4000, metadata={"description": "content summary"})
    expected_participants = ma.fields.Integer(validate=ma.validate.Range(min=1, max=1_000_000))


class ApprovalsApplicationIn(ApprovalsApplicationPatch):
    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        field_obj.required = True  # every detail is needed to create; PATCH sends a subset


class ApprovalsDecisionIn(InputSchema):
    decision = ma.fields.String(required=True,
                                validate=ma.validate.OneOf(["approved", "rejected"]))
    decided_by = ma.fields.UUID(load_default=None, metadata={
        "description": "the committee's secretary or a deputy, currently in post "
                       "(default: the caller)"})
    decided_at = ma.fields.AwareDateTime(load_default=None, validate=DONE_AT, metadata={
        "description": "when the committee decided (default: now); not in the future"})
    conditions = _text(2000, load_default=None, metadata={
        "description": "conditions attached to an approval, or the grounds of a rejection"})


class ApprovalsFilingIn(InputSchema):
    reference = _text(100, required=True, metadata={"description": "filing reference number"})
    filed_with = _text(200, required=True, metadata={
        "description": "the higher-level body, e.g. 區委宣傳部"})
    filed_at = ma.fields.AwareDateTime(load_default=None, validate=DONE_AT, metadata={
        "description": "when it was filed (default: now); posting again corrects it"})


class ApprovalsOutcomeIn(InputSchema):
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(["held", "cancelled"]))
    note = _text(2000, load_default=None)


class ApprovalsEmpty(InputSchema):
    """No body fields (an empty JSON object or none)."""


class ApprovalsQuery(ListQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(list(STATUSES)))
    kind = ma.fields.String(validate=ma.validate.OneOf(list(KINDS)))
    organiser_unit_id = ma.fields.UUID()
    flag = ma.fields.String(validate=ma.validate.OneOf(FLAGS), metadata={
        "description": "late: approved on or after the start; short_notice: submitted late"})


class ApprovalsLabel(ma.Schema):
    key = ma.fields.String()
    label = ma.fields.String()


class ApprovalsCatalogue(ma.Schema):
    kinds = ma.fields.List(ma.fields.Nested(ApprovalsLabel))
    statuses = ma.fields.List(ma.fields.Nested(ApprovalsLabel))
    min_notice_days = ma.fields.Integer()
