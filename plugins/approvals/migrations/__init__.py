"""The approvals lineage's alembic revisions (version table ``alembic_version_approvals``)."""
