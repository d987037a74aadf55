import os

import pytest


@pytest.fixture(autouse=True)
def no_orderflow_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests see the settings' own defaults, whatever the shell that runs them set (e.g. the test profile of
    `make test`)."""
    for name in [name for name in os.environ if name.startswith("ORDERFLOW_")]:
        monkeypatch.delenv(name)
