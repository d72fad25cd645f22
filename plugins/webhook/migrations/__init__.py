"""The webhook plugin's own alembic lineage (version table ``alembic_version_webhook``)."""
