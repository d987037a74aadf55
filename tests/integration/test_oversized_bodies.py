"""A too-large body is answered 413 even to a client that sends all of it before reading (urllib does), over a
real HTTP server: the server reads and drops the rest first instead of closing on unread bytes."""

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI, Request

from common.web.limits import BodyLimit

MAX_BYTES = 1_048_576
STREAMED_PATH = "/stream"


def _app() -> FastAPI:
    app = FastAPI()

    @app.post("/items")
    async def items(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post(STREAMED_PATH)
    async def stream(request: Request) -> dict[str, int]:
        return {"size": sum([len(piece) async for piece in request.stream()])}

    app.add_middleware(BodyLimit, max_bytes=MAX_BYTES, streamed={STREAMED_PATH: 2 * MAX_BYTES},
                       max_discarded_bytes=16 * MAX_BYTES)
    return app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(_app(), host="127.0.0.1", port=port, log_level="warning",
                                           loop="uvloop", http="httptools"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _post(url: str, body: bytes, chunked: bool = False) -> tuple[int, dict[str, object]]:
    data: bytes | object = iter([body[start:start + 65536] for start in range(0, len(body), 65536)]) if chunked else body
    request = urllib.request.Request(url, data=data, method="POST",  # type: ignore[arg-type]  # bytes, or an iterator of chunks
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_5_mb_body_sent_whole_gets_the_413(base_url: str, chunked: bool) -> None:
    status, body = _post(f"{base_url}/items", b"x" * (5 * MAX_BYTES), chunked)
    assert status == 413
    assert str(MAX_BYTES) in str(body["detail"])


def test_a_streamed_path_over_its_declared_limit_gets_the_413(base_url: str) -> None:
    status, body = _post(f"{base_url}{STREAMED_PATH}", b"x" * (3 * MAX_BYTES))
    assert status == 413
    assert str(2 * MAX_BYTES) in str(body["detail"])


def test_the_connection_serves_the_next_request_after_a_413(base_url: str) -> None:
    assert _post(f"{base_url}/items", b"x" * (2 * MAX_BYTES))[0] == 413
    assert _post(f"{base_url}/items", b'{"a": 1}') == (200, {"size": 8})
