import pytest

from zerenzhi.plugins.approvals import plugin


@pytest.fixture
def zz_plugins():
    return [plugin]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def approvals(township):
    """A township that enabled the module (the API way is tested in test_settings)."""
    township.enable("approvals")
    return township
