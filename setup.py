"""Package list for the folder-to-name mapping in pyproject.toml (static config cannot
find packages under a renamed folder): every package below core/, plugins/ and migrations/
installs under ``zerenzhi``, so the distribution adds one top-level name."""

from setuptools import find_packages, setup

ROOTS = {"zerenzhi": "core", "zerenzhi.plugins": "plugins", "zerenzhi.migrations": "migrations"}


def _under(name: str, folder: str) -> list[str]:
    return [name] + [f"{name}.{package}" for package in find_packages(folder)]


setup(packages=[package for name, folder in ROOTS.items() for package in _under(name, folder)])
