"""A township's numbers for W6 (the seed gives none; the default is a conservative week)."""

from __future__ import annotations

import marshmallow as ma

from zerenzhi import InputSchema


class ApprovalsSettings(InputSchema):
    """Unknown keys are rejected, so a typo in a tenants file is a 422, not ignored."""

    min_notice_days = ma.fields.Integer(
        load_default=7, validate=ma.validate.Range(min=0, max=180),
        metadata={"description": "applications submitted fewer days than this before the "
                                 "activity starts are flagged short_notice (W6 says "
                                 "'事先', not how long before: 7 is not in the text)"})
