"""schemathesis over every operation of the OpenAPI document, authenticated, in-process:
no server error and no response that breaks its documented schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def contract_world(app, township):
    for name in app.extensions["zerenzhi"].plugins.installed:
        township.enable(name)
    return township


def _operations(app):
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    for result in loaded.get_all_operations():
        yield result.ok()


def test_api_contract(app, contract_world):
    """Each operation gets a bounded number of generated cases (hypothesis, derandomized)."""
    world = contract_world
    failures, operations = [], 0
    for operation in _operations(app):
        operations += 1
        role = "county_admin" if operation.path.startswith("/api/v1/counties") else "all"
        headers = {"Authorization": f"Bearer {world.tokens[role]}"}

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            if "township" in (case.path_parameters or {}):
                case.path_parameters["township"] = world.slug
            if "county" in (case.path_parameters or {}):
                case.path_parameters["county"] = world.county_slug
            case.call_and_validate(headers=headers, checks=CHECKS)  # noqa: B023 (runs now)

        try:
            check()
        except Exception as error:  # collect every operation's failure, then report
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert operations >= 15
    assert not failures, "\n\n".join(failures)
