"""Schema audit of core and every installed plugin (``zerenzhi.testing.check_schema``), on
the models and on the migrated database: every table is one of core's reference tables or a
tenant table with tenant_id first in its primary key, in every unique constraint and index
and in every (co-located) foreign key to another tenant table, and on PostgreSQL under
forced RLS; a plugin's tables carry its name."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from zerenzhi.testing import CORE, check_schema

OWNERS = [CORE, *sorted(ep.name for ep in entry_points(group="zerenzhi.plugins"))]


@pytest.mark.parametrize("owner", OWNERS)
def test_tables_keep_the_tenant_invariants(app, owner):
    check_schema(owner, app)
