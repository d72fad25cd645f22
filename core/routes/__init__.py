"""Core blueprints, in the order they appear in the API docs."""

from core.routes import audit, auth, counties, units, users

CORE_BLUEPRINTS = (auth.blp, counties.blp, units.blp, users.blp, audit.blp)
