"""Alembic environment shared by every lineage (core and each plugin).

The runner (``zerenzhi.migrate``) passes the lineage's version table and a filter that
keeps autogenerate to the lineage's own tables.
"""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes["connection"]
lineage = config.attributes["lineage"]

context.configure(
    connection=connection,
    target_metadata=lineage.metadata,
    version_table=lineage.version_table,
    include_name=lineage.include_name,
    include_object=lineage.include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
