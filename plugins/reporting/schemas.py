"""API schemas of the reporting module (names carry ``Reporting``)."""

from __future__ import annotations

import datetime as dt
import re

import marshmallow as ma

from zerenzhi import InputSchema, ListQuery, not_in_future
from zerenzhi.plugins.reporting.models import REPORT_STATUSES

DAY = ma.validate.Range(min=dt.date(2000, 1, 1), max=dt.date(2100, 12, 31))
MOMENT = ma.validate.Range(min=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                           max=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
DONE_ON, DONE_AT = (DAY, not_in_future), (MOMENT, not_in_future)  # evidence: not after today
HALF = re.compile(r"^(20\d\d)H[12]$")


def _text(maximum: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(min=1, max=maximum), **kwargs)


def _long(**kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(max=50000), **kwargs)


class ReportingRecord(ma.Schema):
    id = ma.fields.UUID()
    unit_id = ma.fields.UUID(metadata={"description": "the township committee"})
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class ReportingListQuery(ListQuery):
    year = ma.fields.Integer(validate=ma.validate.Range(2000, 2100))


# --- meetings (R1) ------------------------------------------------------------------------


class ReportingMeetingOut(ReportingRecord):
    held_on = ma.fields.Date()
    start_time = ma.fields.Time(allow_none=True)
    title = ma.fields.String()
    attendees = ma.fields.List(ma.fields.String())
    agenda = ma.fields.String(allow_none=True)
    decisions = ma.fields.String(allow_none=True)


class ReportingMeetingPatch(InputSchema):
    held_on = ma.fields.Date(validate=DONE_ON)
    start_time = ma.fields.Time(allow_none=True)
    title = _text(200)
    attendees = ma.fields.List(_text(100), validate=ma.validate.Length(max=100))
    agenda = _long(allow_none=True)
    decisions = _long(allow_none=True)


class ReportingMeetingIn(ReportingMeetingPatch):
    held_on = ma.fields.Date(required=True, validate=DONE_ON)
    title = _text(200, required=True)


# --- half-year reports (R1) ---------------------------------------------------------------


class ReportingSection(InputSchema):
    heading = _text(200, required=True)
    body = _long(load_default="")


class ReportingHalfYearOut(ReportingRecord):
    period = ma.fields.String(metadata={"description": "2026H1 or 2026H2"})
    title = ma.fields.String()
    recipient = ma.fields.String()
    status = ma.fields.String(validate=ma.validate.OneOf(REPORT_STATUSES))
    sections = ma.fields.List(ma.fields.Dict())
    submitted_on = ma.fields.Date(allow_none=True)
    acknowledged_on = ma.fields.Date(allow_none=True)
    acknowledgement = ma.fields.String(allow_none=True)


class ReportingHalfYearPatch(InputSchema):
    period = ma.fields.String(validate=ma.validate.Regexp(HALF, error="YYYYH1 or YYYYH2"))
    title = _text(200)
    recipient = _text(200)
    sections = ma.fields.List(ma.fields.Nested(ReportingSection),
                              validate=ma.validate.Length(max=50))


class ReportingHalfYearIn(ReportingHalfYearPatch):
    period = ma.fields.String(required=True,
                              validate=ma.validate.Regexp(HALF, error="YYYYH1 or YYYYH2"))


class ReportingSubmitIn(InputSchema):
    submitted_on = ma.fields.Date(load_default=None, validate=DONE_ON,
                                  metadata={"description": "default: today"})
    recipient = _text(200, load_default=None)


class ReportingAcknowledgeIn(InputSchema):
    acknowledged_on = ma.fields.Date(load_default=None, validate=DONE_ON,
                                     metadata={"description": "default: today"})
    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=2000))


class ReportingHalfYearQuery(ReportingListQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(REPORT_STATUSES))


# --- assembly report (R2) -----------------------------------------------------------------


class ReportingAssemblySection(ReportingSection):
    ideology = ma.fields.Boolean(load_default=False,
                                 metadata={"description": "the section on ideology work"})


class ReportingAssemblyOut(ReportingRecord):
    delivered_on = ma.fields.Date()
    title = ma.fields.String()
    sections = ma.fields.List(ma.fields.Dict())
    counts = ma.fields.Boolean(metadata={
        "description": "true when it has an ideology section (R2)"})


class ReportingAssemblyPatch(InputSchema):
    delivered_on = ma.fields.Date(validate=DONE_ON)
    title = _text(200)
    sections = ma.fields.List(ma.fields.Nested(ReportingAssemblySection),
                              validate=ma.validate.Length(max=50))


class ReportingAssemblyIn(ReportingAssemblyPatch):
    delivered_on = ma.fields.Date(required=True, validate=DONE_ON)
    title = _text(200, required=True)


# --- major situations (R3) ----------------------------------------------------------------


class ReportingSituationReportOut(ma.Schema):
    id = ma.fields.UUID()
    situation_id = ma.fields.UUID()
    reported_at = ma.fields.DateTime()
    recipient = ma.fields.String()
    content = ma.fields.String()
    proposals = ma.fields.String()
    late = ma.fields.Boolean()
    archived_at = ma.fields.DateTime(allow_none=True)


class ReportingSituationOut(ReportingRecord):
    occurred_at = ma.fields.DateTime()
    title = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    obligation_id = ma.fields.UUID(allow_none=True)
    due_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "R3 deadline (none when the rule is switched off here)"})
    status = ma.fields.String(metadata={
        "description": "awaiting_report | overdue | reported | reported_late"})
    reported_at = ma.fields.DateTime(allow_none=True)
    reports = ma.fields.List(ma.fields.Nested(ReportingSituationReportOut))


class ReportingSituationPatch(InputSchema):
    title = _text(200)
    description = _long(allow_none=True)


class ReportingSituationIn(ReportingSituationPatch):
    title = _text(200, required=True)
    occurred_at = ma.fields.AwareDateTime(load_default=None, validate=DONE_AT, metadata={
        "description": "when it arose or became known (default: now); starts the deadline"})


class ReportingSituationReportIn(InputSchema):
    reported_at = ma.fields.AwareDateTime(load_default=None, validate=DONE_AT,
                                          metadata={"description": "default: now"})
    recipient = _text(200, load_default=None)
    content = _text(50000, required=True)
    proposals = _text(50000, required=True, metadata={
        "description": "R3: the report carries constructive proposals"})
