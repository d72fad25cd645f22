"""The analysis lineage's alembic revisions (version table ``alembic_version_analysis``)."""
