"""API schemas; names carry the plugin's name (one OpenAPI namespace for all modules)."""

from __future__ import annotations

import marshmallow as ma

from zerenzhi import InputSchema

SCORE = ma.validate.Range(min=0, max=100)


class AssessmentUnitLine(ma.Schema):
    rank = ma.fields.Integer(allow_none=True, metadata={"description": "1 is best; ties share"})
    unit_id = ma.fields.UUID()
    unit_code = ma.fields.String()
    unit_name = ma.fields.String()
    unit_kind = ma.fields.String()
    obligations = ma.fields.Integer(metadata={"description": "obligations of the year judged"})
    compliance_rate = ma.fields.Float(allow_none=True, metadata={
        "description": "0–1, mean compliance over the unit's obligations (M4)"})
    inspection_score = ma.fields.Float(allow_none=True, metadata={"description": "0–100 (I4)"})
    adjustment = ma.fields.Float(metadata={"description": "net manual adjustment, points"})
    total = ma.fields.Float(allow_none=True, metadata={"description": "0–100"})


class AssessmentTable(ma.Schema):
    year = ma.fields.Integer()
    status = ma.fields.String(validate=ma.validate.OneOf(["draft", "final"]))
    computed_at = ma.fields.DateTime()
    finalised_at = ma.fields.DateTime(allow_none=True)
    compliance_weight = ma.fields.Integer()
    inspection_weight = ma.fields.Integer()
    township_total = ma.fields.Float(allow_none=True, metadata={
        "description": "mean of the units' totals: the county's assessment.township_total"})
    complete = ma.fields.Boolean(metadata={"description": "every active unit has a score"})
    reopen_reason = ma.fields.String(allow_none=True)
    units = ma.fields.List(ma.fields.Nested(AssessmentUnitLine))


class AssessmentYearSummary(ma.Schema):
    year = ma.fields.Integer()
    status = ma.fields.String()
    computed_at = ma.fields.DateTime()
    finalised_at = ma.fields.DateTime(allow_none=True)
    township_total = ma.fields.Float(allow_none=True)


class AssessmentComputeIn(InputSchema):
    finalise = ma.fields.Boolean(load_default=False, metadata={
        "description": "freeze the result; every active unit must have a score"})


class AssessmentReopenIn(InputSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000))


class AssessmentInspectionScore(ma.Schema):
    year = ma.fields.Integer()
    unit_id = ma.fields.UUID()
    score = ma.fields.Float(allow_none=True)
    note = ma.fields.String(allow_none=True)
    updated_at = ma.fields.DateTime()


class AssessmentInspectionScoreIn(InputSchema):
    score = ma.fields.Float(required=True, allow_none=True, validate=SCORE, metadata={
        "description": "0–100 from the year's inspection (I1–I4); null clears it"})
    note = ma.fields.String(load_default=None, allow_none=True,
                            validate=ma.validate.Length(max=1000))


class AssessmentAdjustment(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    year = ma.fields.Integer()
    unit_id = ma.fields.UUID()
    points = ma.fields.Float()
    reason = ma.fields.String()
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class AssessmentAdjustmentIn(InputSchema):
    unit_id = ma.fields.UUID(required=True)
    points = ma.fields.Float(required=True, validate=ma.validate.Range(min=-50, max=50),
                             metadata={"description": "positive adds, negative takes"})
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000),
                              metadata={"description": "why; kept in the audit log"})
