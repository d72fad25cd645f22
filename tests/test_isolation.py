"""Tenant isolation matrix, generated from the URL map, for core and every installed plugin
(``zerenzhi.testing.check_isolation``, the check plugin authors run on their own).

Every route × role × {own township, foreign township, foreign object id in own path,
county user, anonymous}. A route added later — core or plugin — is covered without
anyone writing a test for it. A township never sees, changes or detects another's data.
"""

from __future__ import annotations

import uuid
from importlib.metadata import entry_points

import pytest

from zerenzhi.testing import CORE, check_isolation

OWNERS = [CORE, *sorted(ep.name for ep in entry_points(group="zerenzhi.plugins"))]


@pytest.mark.parametrize("owner", OWNERS)
def test_isolation_matrix(app, owner):
    check_isolation(owner, app)


def test_unknown_and_foreign_ids_answer_alike(township, other_township):
    """A foreign unit id and a made-up one get the same 404 body."""
    client = township.client("secretary")
    foreign = client.get(f"{township.base}/units/{other_township.units['branch-1']}")
    made_up = client.get(f"{township.base}/units/{uuid.uuid4()}")
    assert foreign.status_code == made_up.status_code == 404
    assert foreign.json == made_up.json
