"""Fault-injection tests run against the whole local system, with the end-to-end tests' fixtures."""

from tests.e2e.conftest import commands, queries, system  # noqa: F401 - fixtures shared with the end-to-end tests
