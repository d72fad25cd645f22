"""Incident routes (P2, P3) on the platforms blueprint: record, correct, the handling
timeline (邊處置，邊報告), close with a summary, archive."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from zerenzhi import SelectPage, not_found, plugin_settings, require_unit_write, requires, session
from zerenzhi.plugins.platforms import incidents
from zerenzhi.plugins.platforms.common import PlatformError
from zerenzhi.plugins.platforms.models import Incident, TimelineEntry
from zerenzhi.plugins.platforms.routes import blp, fail
from zerenzhi.plugins.platforms.schemas import (
    PlatformsEntry,
    PlatformsEntryIn,
    PlatformsEntryQuery,
    PlatformsIncident,
    PlatformsIncidentClose,
    PlatformsIncidentIn,
    PlatformsIncidentPatch,
    PlatformsIncidentQuery,
)


def _settings() -> dict:
    return plugin_settings("platforms")


def _incident_or_404(incident_id) -> Incident:
    incident = session().scalar(select(Incident).where(Incident.id == incident_id))
    if incident is None:
        not_found()
    return incident


@blp.route("/incidents")
class Incidents(MethodView):
    @requires("platforms.incident.read")
    @blp.arguments(PlatformsIncidentQuery, location="query")
    @blp.response(200, PlatformsIncident(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Incidents, most recently detected first."""
        statement = select(Incident).order_by(Incident.detected_at.desc(), Incident.id.desc())
        if not query["include_archived"]:
            statement = statement.where(Incident.archived_at.is_(None))
        for name in ("unit_id", "status", "severity", "category"):
            if name in query:
                statement = statement.where(getattr(Incident, name) == query[name])
        return statement

    @requires("platforms.incident.write")
    @blp.arguments(PlatformsIncidentIn)
    @blp.response(201, PlatformsIncident)
    def post(self, data):
        """Record an incident; a major one starts the first-report deadline (P2, 2 h)."""
        require_unit_write(data["unit_id"])
        try:
            incident = incidents.record_incident(session(), data, _settings())
        except PlatformError as error:
            fail(error)
        session().commit()
        return incident


@blp.route("/incidents/<uuid:incident_id>")
class IncidentItem(MethodView):
    @requires("platforms.incident.read")
    @blp.etag
    @blp.response(200, PlatformsIncident)
    def get(self, incident_id):
        """One incident with the state of its report to the higher level."""
        return _incident_or_404(incident_id)

    @requires("platforms.incident.write")
    @blp.etag
    @blp.arguments(PlatformsIncidentPatch)
    @blp.response(200, PlatformsIncident)
    def patch(self, data, incident_id):
        """Correct an open incident (If-Match); raising it to major starts the clock."""
        incident = _incident_or_404(incident_id)
        blp.check_etag(incident, PlatformsIncident)
        require_unit_write(incident.unit_id)
        try:
            incidents.update_incident(session(), incident, data, _settings())
        except PlatformError as error:
            fail(error)
        session().commit()
        return incident

    @requires("platforms.incident.write")
    @blp.etag
    @blp.response(204)
    def delete(self, incident_id):
        """Archive an incident recorded in error (If-Match); its report stops counting."""
        incident = _incident_or_404(incident_id)
        blp.check_etag(incident, PlatformsIncident)
        require_unit_write(incident.unit_id)
        incidents.archive_incident(session(), incident)
        session().commit()


@blp.route("/incidents/<uuid:incident_id>/timeline")
class Timeline(MethodView):
    @requires("platforms.incident.read")
    @blp.arguments(PlatformsEntryQuery, location="query")
    @blp.response(200, PlatformsEntry(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, incident_id):
        """The handling and reporting timeline, in time order."""
        incident = _incident_or_404(incident_id)
        statement = select(TimelineEntry).where(TimelineEntry.incident_id == incident.id)
        if not query["include_archived"]:
            statement = statement.where(TimelineEntry.archived_at.is_(None))
        return statement.order_by(TimelineEntry.at, TimelineEntry.created_at, TimelineEntry.id)

    @requires("platforms.incident.write")
    @blp.arguments(PlatformsEntryIn)
    @blp.response(201, PlatformsEntry)
    def post(self, data, incident_id):
        """Add a step: handling, a report to the higher level (the first fulfils P2's
        obligation) or liaison with higher departments (P3)."""
        incident = _incident_or_404(incident_id)
        require_unit_write(incident.unit_id)
        try:
            entry = incidents.add_entry(session(), incident, data)
        except PlatformError as error:
            fail(error)
        session().commit()
        return entry


@blp.route("/incidents/<uuid:incident_id>/timeline/<uuid:entry_id>")
class TimelineItem(MethodView):
    @requires("platforms.incident.write")
    @blp.response(204)
    def delete(self, incident_id, entry_id):
        """Archive a mistaken entry of an open incident (entries are never edited)."""
        incident = _incident_or_404(incident_id)
        entry = session().scalar(select(TimelineEntry).where(
            TimelineEntry.id == entry_id, TimelineEntry.incident_id == incident.id))
        if entry is None:
            not_found()
        require_unit_write(incident.unit_id)
        try:
            incidents.archive_entry(session(), incident, entry)
        except PlatformError as error:
            fail(error)
        session().commit()


@blp.route("/incidents/<uuid:incident_id>/closure")
class IncidentClosure(MethodView):
    @requires("platforms.incident.write")
    @blp.arguments(PlatformsIncidentClose)
    @blp.response(200, PlatformsIncident)
    def post(self, data, incident_id):
        """Close with a summary; a major incident only after its first report (P2)."""
        incident = _incident_or_404(incident_id)
        require_unit_write(incident.unit_id)
        try:
            incidents.close_incident(session(), incident, data, _settings())
        except PlatformError as error:
            fail(error)
        session().commit()
        return incident
