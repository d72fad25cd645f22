"""Operator commands other than ``db``; each module adds one group."""


def register(cli) -> None:
    pass
