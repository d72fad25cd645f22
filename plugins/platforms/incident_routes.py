"""Incident routes (P2, P3) on the platforms blueprint: record, correct, the handling
timeline (邊處置，邊報告), close with a summary, archive."""

from __future__ import annotations

from flask.views import MethodView

from zerenzhi import (
    ListQuery,
    SelectPage,
    get_or_404,
    listed,
    not_found,
    plugin_settings,
    require_unit_write,
    requires,
    writing,
)
from zerenzhi.plugins.platforms import incidents
from zerenzhi.plugins.platforms.models import Incident, TimelineEntry
from zerenzhi.plugins.platforms.routes import blp
from zerenzhi.plugins.platforms.schemas import (
    PlatformsEntry,
    PlatformsEntryIn,
    PlatformsIncident,
    PlatformsIncidentClose,
    PlatformsIncidentIn,
    PlatformsIncidentPatch,
    PlatformsIncidentQuery,
)


def _settings() -> dict:
    return plugin_settings("platforms")


def _entry_of(incident: Incident, entry_id) -> TimelineEntry:
    """The entry, if it is on this incident's timeline (another's is as unknown: 404)."""
    entry = get_or_404(TimelineEntry, entry_id)
    if entry.incident_id != incident.id:
        not_found()
    return entry


@blp.route("/incidents")
class Incidents(MethodView):
    @requires("platforms.incident.read")
    @blp.arguments(PlatformsIncidentQuery, location="query")
    @blp.response(200, PlatformsIncident(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Incidents, most recently detected first."""
        return listed(Incident, query, match=("unit_id", "status", "severity", "category"),
                      order_by=(Incident.detected_at.desc(), Incident.id.desc()))

    @requires("platforms.incident.write")
    @blp.arguments(PlatformsIncidentIn)
    @blp.response(201, PlatformsIncident)
    def post(self, data):
        """Record an incident; a major one starts the first-report deadline (P2, 2 h)."""
        require_unit_write(data["unit_id"])
        with writing() as db:
            return incidents.record_incident(db, data, _settings())


@blp.route("/incidents/<uuid:incident_id>")
class IncidentItem(MethodView):
    @requires("platforms.incident.read")
    @blp.etag
    @blp.response(200, PlatformsIncident)
    def get(self, incident_id):
        """One incident with the state of its report to the higher level."""
        return get_or_404(Incident, incident_id)

    @requires("platforms.incident.write")
    @blp.etag
    @blp.arguments(PlatformsIncidentPatch)
    @blp.response(200, PlatformsIncident)
    def patch(self, data, incident_id):
        """Correct an open incident (If-Match); raising it to major starts the clock."""
        incident = get_or_404(Incident, incident_id)
        blp.check_etag(incident, PlatformsIncident)
        require_unit_write(incident.unit_id)
        with writing() as db:
            return incidents.update_incident(db, incident, data, _settings())

    @requires("platforms.incident.write")
    @blp.etag
    @blp.response(204)
    def delete(self, incident_id):
        """Archive an incident recorded in error (If-Match); its report stops counting."""
        incident = get_or_404(Incident, incident_id)
        blp.check_etag(incident, PlatformsIncident)
        require_unit_write(incident.unit_id)
        with writing() as db:
            incidents.archive_incident(db, incident)


@blp.route("/incidents/<uuid:incident_id>/timeline")
class Timeline(MethodView):
    @requires("platforms.incident.read")
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, PlatformsEntry(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, incident_id):
        """The handling and reporting timeline, in time order."""
        incident = get_or_404(Incident, incident_id)
        return listed(TimelineEntry, query, statement=incidents.timeline(incident))

    @requires("platforms.incident.write")
    @blp.arguments(PlatformsEntryIn)
    @blp.response(201, PlatformsEntry)
    def post(self, data, incident_id):
        """Add a step: handling, a report to the higher level (the first fulfils P2's
        obligation) or liaison with higher departments (P3)."""
        incident = get_or_404(Incident, incident_id)
        require_unit_write(incident.unit_id)
        with writing() as db:
            return incidents.add_entry(db, incident, data)


@blp.route("/incidents/<uuid:incident_id>/timeline/<uuid:entry_id>")
class TimelineItem(MethodView):
    @requires("platforms.incident.write")
    @blp.response(204)
    def delete(self, incident_id, entry_id):
        """Archive a mistaken entry of an open incident (entries are never edited)."""
        incident = get_or_404(Incident, incident_id)
        entry = _entry_of(incident, entry_id)
        require_unit_write(incident.unit_id)
        with writing() as db:
            incidents.archive_entry(db, incident, entry)


@blp.route("/incidents/<uuid:incident_id>/closure")
class IncidentClosure(MethodView):
    @requires("platforms.incident.write")
    @blp.arguments(PlatformsIncidentClose)
    @blp.response(200, PlatformsIncident)
    def post(self, data, incident_id):
        """Close with a summary; a major incident only after its first report (P2)."""
        incident = get_or_404(Incident, incident_id)
        require_unit_write(incident.unit_id)
        with writing() as db:
            return incidents.close_incident(db, incident, data, _settings())
