"""The floaty lineage (version table ``alembic_version_floaty``)."""
