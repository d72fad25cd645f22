"""An app with exactly the platforms plugin, and a township that enabled it."""

import pytest

from zerenzhi.plugins.platforms import plugin as PLATFORMS


@pytest.fixture
def zz_plugins():
    return [PLATFORMS]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def world(township):
    township.enable("platforms")
    return township
