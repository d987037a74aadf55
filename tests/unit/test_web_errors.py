"""Both APIs answer an unexpected exception with an error id that is also in the log, never a bare 500."""

import logging
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from common.web.errors import install_error_handlers
from producers.app import create_app as create_command_api


def app_with_the_shared_handlers() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    return app


def failing_route(app: FastAPI) -> TestClient:
    @app.get("/fails")
    async def fails() -> None:
        raise RuntimeError("a defect")

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("app", [app_with_the_shared_handlers, create_command_api], ids=["shared", "command-api"])
def test_an_unexpected_exception_is_500_with_the_error_id_in_the_answer_and_the_log(
    app: Callable[[], FastAPI], caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        answer = failing_route(app()).get("/fails")
    assert answer.status_code == 500
    error_id = answer.json()["error_id"]
    assert f"error id {error_id}" in answer.json()["detail"]
    assert error_id in caplog.text and "a defect" in caplog.text and "Traceback" in caplog.text
