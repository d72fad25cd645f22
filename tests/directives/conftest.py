"""Directives and the county inbox are core: an app with no plugins, plus a county of two
townships (A = the World's, B) and a look-alike township of another county."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.rollups.conftest import Town, add_township, town_of
from zerenzhi.testing import World


@pytest.fixture
def zz_plugins():
    return []


@pytest.fixture
def zz_load_entrypoints():
    return False


@dataclass
class County:
    world: World  # township A, its county and users of every role
    a: Town
    b: Town  # a second township of the same county (no users)
    other: World  # a township of another county, with its own county users


@pytest.fixture
def county(township, other_township) -> County:
    return County(township, town_of(township), add_township(township, "乙鎮"), other_township)
