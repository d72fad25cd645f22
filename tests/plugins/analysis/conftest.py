import pytest

from zerenzhi.plugins.analysis import plugin as ANALYSIS


@pytest.fixture
def zz_plugins():
    return [ANALYSIS]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def town(township):
    """A township that enabled the analysis module with its default settings."""
    township.enable("analysis")
    return township
