"""Core blueprints, in the order they appear in the API docs."""

from core.routes import audit, auth, calendar, counties, obligations, plugins, units, users

CORE_BLUEPRINTS = (
    auth.blp, counties.blp, plugins.county_blp, units.blp, users.blp, plugins.blp, obligations.blp,
    calendar.blp, audit.blp,
)
