"""Throwaway plugins that break one rule each, so the conformance kit is seen to fail on them
(tests/test_conformance_kit.py). Each lives in its own package: the kit finds a plugin's
models below the package of its class."""
