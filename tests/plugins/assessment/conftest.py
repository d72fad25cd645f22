import pytest

from tests.obligations.drill import DrillPlugin
from zerenzhi.plugins.assessment import plugin

# core's test plugin that writes evidence straight into the ledger (rules shaped like
# W3, R1 and R3), so compliance can be set up without depending on another module
DRILL = DrillPlugin()


@pytest.fixture
def zz_plugins():
    return [plugin, DRILL]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def assessed(township):
    """A township that enabled the module, with the ledger-writing drill module."""
    township.enable("assessment")
    township.enable("drill")
    return township
