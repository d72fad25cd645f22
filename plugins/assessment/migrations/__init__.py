"""The assessment lineage's alembic revisions (version table ``alembic_version_assessment``)."""
