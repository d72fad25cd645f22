"""The inspection lineage's alembic revisions (version table ``alembic_version_inspection``)."""
