"""The accountability lineage's alembic revisions (``alembic_version_accountability``)."""
