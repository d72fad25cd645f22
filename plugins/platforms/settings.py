"""A township's platforms settings. The 2 h report deadline and the quarterly review are
rule numbers (``PATCH .../rules/<key>``); here only what the rules cannot say."""

from __future__ import annotations

import marshmallow as ma

from zerenzhi.plugins.platforms.catalogue import SEVERITIES


class PlatformsSettings(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    report_from_severity = ma.fields.String(
        load_default="major", validate=ma.validate.OneOf(list(SEVERITIES)),
        metadata={"description": "P2: incidents of this severity or worse start "
                                 "platforms.incident_report (default 重大 major)"})
