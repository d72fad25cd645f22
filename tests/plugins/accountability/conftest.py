"""An app with the accountability plugin, the platforms plugin (to cite its incidents
through core references) and a stand-in for inspection findings."""

import pytest

from tests.plugins.accountability.findings_stub import FindingStub
from zerenzhi.plugins.accountability import plugin as ACCOUNTABILITY
from zerenzhi.plugins.platforms import plugin as PLATFORMS

STUB = FindingStub()


@pytest.fixture
def zz_plugins():
    return [ACCOUNTABILITY, PLATFORMS, STUB]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def world(township):
    for name in ("accountability", "platforms", "inspection"):
        township.enable(name)
    return township
