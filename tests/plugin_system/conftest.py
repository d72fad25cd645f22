import pytest

from tests.plugin_system.throwaway import BrokenPlugin, NoManifestPlugin, ThrowawayPlugin

THROWAWAY = ThrowawayPlugin()


@pytest.fixture
def zz_plugins():
    return [THROWAWAY, BrokenPlugin(), NoManifestPlugin()]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def throwaway():
    THROWAWAY.calls.clear()
    return THROWAWAY
