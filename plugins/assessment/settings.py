"""A township's weights and caps. The seed gives no numbers (I4 only says the system is
scored); these are conservative defaults a township changes in its settings."""

from __future__ import annotations

import marshmallow as ma

from zerenzhi import InputSchema

PERCENT = ma.validate.Range(min=0, max=100)


class AssessmentSettings(InputSchema):
    """Weights are whole percentage points and must add up to 100."""

    compliance_weight = ma.fields.Integer(
        load_default=60, validate=PERCENT,
        metadata={"description": "share of the score from obligation compliance (M4)"})
    inspection_weight = ma.fields.Integer(
        load_default=40, validate=PERCENT,
        metadata={"description": "share of the score from the half-yearly inspection (I1, I4)"})
    max_bonus = ma.fields.Float(
        load_default=5.0, validate=ma.validate.Range(min=0, max=20),
        metadata={"description": "most points a unit may gain by manual adjustment in a year"})
    max_deduction = ma.fields.Float(
        load_default=10.0, validate=ma.validate.Range(min=0, max=50),
        metadata={"description": "most points a unit may lose by manual adjustment in a year"})

    @ma.validates_schema
    def _weights_add_up(self, data: dict, **_kwargs) -> None:
        total = data.get("compliance_weight", 60) + data.get("inspection_weight", 40)
        if total != 100:
            raise ma.ValidationError(
                f"compliance_weight + inspection_weight must be 100 (is {total})",
                field_name="inspection_weight")
