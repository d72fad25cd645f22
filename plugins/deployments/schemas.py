"""API schemas of the deployments module (W1)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma

from zerenzhi import InputSchema, ListQuery, not_in_future
from zerenzhi.plugins.deployments.models import LEVELS

# Generous but finite: a nonsense date is a 422, never an overflow in time-zone maths.
DAY = ma.validate.Range(min=dt.date(2000, 1, 1), max=dt.date(2100, 12, 31))
TEXT = ma.validate.Regexp(r"\S", error="must not be blank")


class DeploymentsTaskOut(ma.Schema):
    id = ma.fields.UUID()
    unit_id = ma.fields.UUID()
    title = ma.fields.String()
    due_on = ma.fields.Date(allow_none=True, metadata={
        "description": "the deadline the deployment sets; none: the rule's default "
                       "(deadline_hours after issue, not in the text)"})
    completed_on = ma.fields.Date(allow_none=True)
    completion = ma.fields.String(allow_none=True)


class DeploymentsDeploymentOut(ma.Schema):
    id = ma.fields.UUID()
    level = ma.fields.String(metadata={
        "description": "who deployed it: central 黨中央, province 省委, city 市委, county 縣委"})
    document_number = ma.fields.String(metadata={"description": "文號, e.g. 省委發〔2026〕3號"})
    issued_on = ma.fields.Date()
    title = ma.fields.String()
    notes = ma.fields.String(allow_none=True)
    tasks = ma.fields.List(ma.fields.Nested(DeploymentsTaskOut))
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class DeploymentsTaskIn(InputSchema):
    title = ma.fields.String(required=True, validate=[ma.validate.Length(max=500), TEXT])
    unit_id = ma.fields.UUID(metadata={"description": "the unit carrying it out; default "
                                                      "the committee"})
    due_on = ma.fields.Date(allow_none=True, validate=DAY)


class DeploymentsDeploymentIn(InputSchema):
    level = ma.fields.String(required=True, validate=ma.validate.OneOf(LEVELS))
    document_number = ma.fields.String(required=True,
                                       validate=[ma.validate.Length(max=100), TEXT])
    issued_on = ma.fields.Date(required=True, validate=[DAY, not_in_future])
    title = ma.fields.String(required=True, validate=[ma.validate.Length(max=200), TEXT])
    notes = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=2000))
    tasks = ma.fields.List(ma.fields.Nested(DeploymentsTaskIn), required=True,
                           validate=ma.validate.Length(min=1, max=100))


class DeploymentsCompletionIn(InputSchema):
    completed_on = ma.fields.Date(required=True, validate=[DAY, not_in_future])
    completion = ma.fields.String(required=True,
                                  validate=[ma.validate.Length(max=2000), TEXT])


class DeploymentsListQuery(ListQuery):
    level = ma.fields.String(validate=ma.validate.OneOf(LEVELS))
