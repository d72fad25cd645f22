"""The deployments module's own migration lineage (alembic_version_deployments)."""
