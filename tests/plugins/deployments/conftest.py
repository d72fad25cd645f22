import pytest

from zerenzhi.plugins.deployments import plugin


@pytest.fixture
def zz_plugins():
    return [plugin]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def deploying(township):
    township.enable("deployments")
    return township
