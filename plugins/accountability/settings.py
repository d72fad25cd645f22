"""A township's accountability settings. The seed sets no numbers here; the defaults are
conservative and a township changes them (tenants/*.toml or PUT .../plugins/accountability).
"""

from __future__ import annotations

import marshmallow as ma


class AccountabilitySettings(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    overdue_alert_days = ma.fields.Integer(
        load_default=30, validate=ma.validate.Range(min=0, max=366),
        metadata={"description": "an obligation overdue this many days or more is shown as "
                                 "an alert for a leader to review (K13 為官不為、慢為; 30 "
                                 "is not in the text)"})
    rectification_alert_days = ma.fields.Integer(
        load_default=0, validate=ma.validate.Range(min=0, max=366),
        metadata={"description": "an overdue rectification (inspection.rectification) is "
                                 "shown after this many days overdue (0: at once)"})
    referral_body = ma.fields.String(
        load_default="區紀委", validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "whom cases are referred to by default (K: 報請區紀委)"})
