"""A throwaway plugin that records evidence straight into the ledger, for core tests of
the obligations calendar (rules shaped like docs/domain.md's W3, R1 and R3)."""

from __future__ import annotations

import datetime as dt
import uuid

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from zerenzhi import (
    InputSchema,
    Label,
    Manifest,
    Permission,
    hookimpl,
    require_unit_write,
    requires,
    session,
)
from zerenzhi.obligations.ledger import Evidence, sync, withdraw
from zerenzhi.obligations.materialize import open_event_obligation
from zerenzhi.obligations.rules import RuleDef

blp = Blueprint("drill", __name__, description="Evidence for obligation tests")

RULES = [
    RuleDef("drill.theory_study", "W3", Label("集中學習", "Centralised study"), "year",
            ("branch",), "branch_secretary", Label("學習記錄", "Study session"), min_count=12),
    RuleDef("drill.special_meeting", "R1", Label("專題會議", "Special meeting"), "half_year",
            ("committee",), "secretary", Label("會議記錄", "Meeting"), min_count=1),
    RuleDef("drill.major_report", "R3", Label("重大情況報告", "Major situation report"),
            "event", ("committee",), "secretary", Label("報告", "Report"), deadline_hours=24),
]


class EvidenceIn(InputSchema):
    rule = ma.fields.String(required=True)
    unit_id = ma.fields.UUID(required=True)
    occurred_at = ma.fields.AwareDateTime(required=True)
    obligation_id = ma.fields.UUID(load_default=None)


class EvidenceOut(ma.Schema):
    source_id = ma.fields.String()


class TriggerIn(InputSchema):
    unit_id = ma.fields.UUID(required=True)
    at = ma.fields.AwareDateTime(required=True)


class TriggerOut(ma.Schema):
    obligation_id = ma.fields.UUID()
    due_at = ma.fields.DateTime()


@blp.route("/evidence")
class EvidenceView(MethodView):
    @requires("drill.write")
    @blp.arguments(EvidenceIn)
    @blp.response(201, EvidenceOut)
    def post(self, data):
        """Record one piece of evidence (in a unit the caller's posts reach)."""
        require_unit_write(data["unit_id"])
        source_id = str(uuid.uuid4())
        sync(session(), "drill", source_id, [Evidence(data["rule"], data["unit_id"],
                                                      data["occurred_at"], data["obligation_id"])])
        session().commit()
        return {"source_id": source_id}


@blp.route("/evidence/<source_id>")
class EvidenceItem(MethodView):
    @requires("drill.write")
    @blp.arguments(EvidenceIn)
    @blp.response(200, EvidenceOut)
    def put(self, data, source_id):
        """Move the evidence (an edited date)."""
        sync(session(), "drill", source_id, [Evidence(data["rule"], data["unit_id"],
                                                      data["occurred_at"], data["obligation_id"])])
        session().commit()
        return {"source_id": source_id}

    @requires("drill.write")
    @blp.response(204)
    def delete(self, source_id):
        """Archive the evidence's record."""
        withdraw(session(), "drill", source_id)
        session().commit()


@blp.route("/situations")
class Situations(MethodView):
    @requires("drill.write")
    @blp.arguments(TriggerIn)
    @blp.response(201, TriggerOut)
    def post(self, data):
        """A major situation happened: the 24 h report deadline starts (R3)."""
        obligation = open_event_obligation(session(), "drill.major_report", data["unit_id"],
                                           "situation", uuid.uuid4(), data["at"])
        session().commit()
        return {"obligation_id": obligation.id, "due_at": obligation.due_at}


class DrillPlugin:
    manifest = Manifest(name="drill", version="0.1", title=Label("演練", "Drill"))

    @hookimpl
    def register_blueprints(self):
        return [blp]

    @hookimpl
    def register_permissions(self):
        return [Permission("drill.write", Label("記錄", "Record"),
                           ("secretary", "branch_secretary", "office"))]

    @hookimpl
    def register_rules(self):
        return RULES


def at(day: str, hour: int = 10) -> str:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00").isoformat()
