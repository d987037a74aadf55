"""`orderflow kibana import` against a small HTTP server on 127.0.0.1 that answers as Kibana's import API does."""

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ops import kibana
from ops.cli import main
from ops.launcher.errors import LauncherError

EXPORT = b'{"type":"index-pattern","id":"orderflow-orders","attributes":{"title":"orders"},"references":[]}\n'


@dataclass
class Recorded:
    method: str
    path: str
    headers: Message
    body: bytes


@dataclass
class FakeKibana:
    """What the server answers next, and every request it was sent."""

    url: str = ""
    status: int = 200
    answer: Any = field(default_factory=lambda: {"success": True, "successCount": 1, "successResults": []})
    requests: list[Recorded] = field(default_factory=list)


def _handler(fake: FakeKibana) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            fake.requests.append(Recorded("POST", self.path, self.headers, body))
            payload = json.dumps(fake.answer).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake_kibana() -> Iterator[FakeKibana]:
    fake = FakeKibana()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    path = tmp_path / "orderflow.ndjson"
    path.write_bytes(EXPORT)
    return path


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def multipart_files(request: Recorded) -> dict[str, tuple[str | None, bytes]]:
    """The uploaded parts of a multipart/form-data body, by field name: (file name, content)."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    assert message.is_multipart(), request.headers["Content-Type"]
    return {part.get_param("name", header="content-disposition"): (part.get_filename(), part.get_payload(decode=True))
            for part in message.iter_parts()}


def test_posts_the_file_as_multipart_with_the_xsrf_header(fake_kibana: FakeKibana, export_file: Path) -> None:
    result = kibana.import_saved_objects(fake_kibana.url, export_file, overwrite=True)

    assert result == kibana.ImportResult(success_count=1)
    [request] = fake_kibana.requests
    assert request.path == "/api/saved_objects/_import?overwrite=true"
    assert request.headers["kbn-xsrf"] == "true"
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert multipart_files(request) == {"file": ("orderflow.ndjson", EXPORT)}


def test_without_overwrite_the_query_has_no_overwrite(fake_kibana: FakeKibana, export_file: Path) -> None:
    kibana.import_saved_objects(fake_kibana.url + "/", export_file)

    assert [request.path for request in fake_kibana.requests] == ["/api/saved_objects/_import"]


def test_refused_objects_are_reported_one_line_each(fake_kibana: FakeKibana, export_file: Path) -> None:
    fake_kibana.answer = {"success": False, "successCount": 1, "errors": [
        {"id": "orderflow-orders", "type": "index-pattern", "meta": {"title": "orders"},
         "error": {"type": "conflict"}},
        {"id": "orderflow-operations", "type": "dashboard", "title": "orderflow operations",
         "error": {"type": "missing_references", "references": [{"type": "visualization", "id": "gone"}]}},
    ]}

    result = kibana.import_saved_objects(fake_kibana.url, export_file)

    assert result.success_count == 1
    assert result.errors == (
        'index-pattern orderflow-orders "orders": already exists (use --overwrite to replace it)',
        'dashboard orderflow-operations "orderflow operations": missing references: visualization gone',
    )
    with pytest.raises(LauncherError, match=r"^Kibana refused 2 saved object\(s\): index-pattern orderflow-orders"):
        kibana.raise_for_errors(result)


def test_an_http_error_names_the_status_and_kibanas_message(fake_kibana: FakeKibana, export_file: Path) -> None:
    fake_kibana.status = 400
    fake_kibana.answer = {"statusCode": 400, "error": "Bad Request", "message": "Invalid file extension .txt"}

    with pytest.raises(LauncherError, match=r"refused the import \(HTTP 400\): Invalid file extension \.txt$"):
        kibana.import_saved_objects(fake_kibana.url, export_file)


def test_unreachable_kibana_is_a_launcher_error(export_file: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(LauncherError, match=f"^Kibana is not reachable at {url}: "):
        kibana.import_saved_objects(url, export_file, timeout_s=5)


def test_a_missing_file_is_a_launcher_error(tmp_path: Path) -> None:
    with pytest.raises(LauncherError, match="^cannot read .*missing.ndjson"):
        kibana.import_saved_objects("http://127.0.0.1:9", tmp_path / "missing.ndjson")


def test_cli_prints_the_count_and_exits_0(
    fake_kibana: FakeKibana, export_file: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["kibana", "import", "--url", fake_kibana.url, "--file", str(export_file), "--overwrite"])

    assert code == 0
    assert capsys.readouterr().out == f"imported 1 saved object(s) into Kibana at {fake_kibana.url}\n"
    assert fake_kibana.requests[0].path.endswith("?overwrite=true")


def test_cli_exits_1_with_one_line_when_kibana_refuses_objects(
    fake_kibana: FakeKibana, export_file: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    fake_kibana.answer = {"success": False, "successCount": 0, "errors": [
        {"id": "x", "type": "visualization", "error": {"type": "unknown", "message": "bad\nvisState"}}]}

    code = main(["kibana", "import", "--url", fake_kibana.url, "--file", str(export_file)])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == "orderflow: Kibana refused 1 saved object(s): visualization x: unknown: bad visState\n"


def test_cli_exits_1_when_kibana_is_unreachable(export_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["kibana", "import", "--url", f"http://127.0.0.1:{free_port()}", "--file", str(export_file)])

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("orderflow: Kibana is not reachable at ") and err.count("\n") == 1
