"""The e-mail plugin's own alembic lineage (version table ``alembic_version_email``)."""
