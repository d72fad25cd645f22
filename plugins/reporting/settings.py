"""A township's reporting settings: who reports go to and who issues them. The R3
deadline itself is the rule's (``PATCH .../rules/reporting.major_situation``)."""

from __future__ import annotations

import marshmallow as ma


class ReportingSettings(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    higher_committee = ma.fields.String(
        load_default="上級黨委", validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "default recipient of half-year and situation reports"})
    issuing_committee = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "name signed under exported reports (default: the "
                                 "committee unit's name)"})
