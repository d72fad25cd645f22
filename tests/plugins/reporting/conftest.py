"""An app with exactly the reporting plugin (no entry points), on both backends."""

import pytest

from zerenzhi.plugins.reporting import plugin as REPORTING


@pytest.fixture
def zz_plugins():
    return [REPORTING]


@pytest.fixture
def zz_load_entrypoints():
    return False


@pytest.fixture
def reported(township):
    """A township that enabled the reporting module with its defaults."""
    township.enable("reporting")
    return township
