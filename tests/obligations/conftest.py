import pytest

from tests.obligations.drill import DrillPlugin

DRILL = DrillPlugin()


@pytest.fixture
def zz_plugins():
    return [DRILL]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def drilled(township):
    township.enable("drill")
    return township
