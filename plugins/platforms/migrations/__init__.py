"""The platforms lineage's alembic revisions (version table ``alembic_version_platforms``)."""
