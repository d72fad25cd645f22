"""An app with exactly the study plugin (no entry points), on both backends."""

import pytest

from zerenzhi.plugins.study import plugin as STUDY


@pytest.fixture
def zz_plugins():
    return [STUDY]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def studied(township):
    """A township that enabled the study module with the seed's defaults."""
    township.enable("study")
    return township
