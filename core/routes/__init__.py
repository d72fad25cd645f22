"""Core blueprints, in the order they appear in the API docs."""

from zerenzhi.routes import (
    attachments,
    audit,
    auth,
    calendar,
    catalogue,
    counties,
    directives,
    health,
    obligations,
    plugins,
    rollups,
    units,
    users,
)

CORE_BLUEPRINTS = (
    auth.blp, catalogue.blp, counties.blp, plugins.county_blp, rollups.blp, units.blp,
    users.blp, plugins.blp, obligations.blp, calendar.blp, audit.blp,
    directives.county_blp, directives.blp, attachments.blp, health.blp,
)
