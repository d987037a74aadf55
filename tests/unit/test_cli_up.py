import argparse
from unittest.mock import patch

import pytest
from pydantic import ValidationError

from ops import cli
from ops.launcher.services import MOST_WORKERS
from ops.settings import Settings


def test_up_workers_starts_that_many_workers() -> None:
    with patch.object(cli.stack, "up") as up:
        cli._up(Settings(workers=1), cli._parser().parse_args(["up", "--workers", "3"]))
    (settings,), options = up.call_args
    assert settings.workers == 3 and options == {"apps": True, "servers": True}


def test_up_without_workers_keeps_the_setting() -> None:
    with patch.object(cli.stack, "up") as up:
        cli._up(Settings(workers=2), cli._parser().parse_args(["up", "--servers-only"]))
    (settings,), options = up.call_args
    assert settings.workers == 2 and options == {"apps": False, "servers": True}


@pytest.mark.parametrize("count", ["0", "17", "two"])
def test_up_refuses_a_worker_count_out_of_range(count: str) -> None:
    with pytest.raises(SystemExit):
        cli._parser().parse_args(["up", "--workers", count])


def test_worker_count_bounds_match_the_setting() -> None:
    assert cli._workers(str(MOST_WORKERS)) == Settings(workers=MOST_WORKERS).workers
    with pytest.raises(ValidationError):
        Settings(workers=MOST_WORKERS + 1)
    with pytest.raises(argparse.ArgumentTypeError):
        cli._workers(str(MOST_WORKERS + 1))
