"""The hello lineage's alembic revisions (version table ``alembic_version_hello``)."""
