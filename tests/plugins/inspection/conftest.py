import pytest

from zerenzhi.plugins.inspection import plugin as INSPECTION


@pytest.fixture
def zz_plugins():
    return [INSPECTION]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def town(township):
    """A township that enabled the inspection module with its default settings."""
    township.enable("inspection")
    return township
