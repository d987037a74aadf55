"""Elasticsearch clients built from ``elasticsearch_options`` against a stand-in HTTP(S) server: they send the
configured credentials, and check the server's certificate against the CA file or the pinned fingerprint (the
integ-test Elasticsearch has no security to try them on)."""

import base64
import hashlib
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from elastic_transport import TlsError
from elasticsearch import Elasticsearch
from pydantic import SecretStr

from common.clients import elasticsearch_options
from ops.settings import Settings

INFO = b'{"cluster_name": "test", "version": {"number": "8.19.0"}, "tagline": "You Know, for Search"}'


class _Recorder(BaseHTTPRequestHandler):
    """Answers like Elasticsearch's ``GET /`` and keeps each request's Authorization header."""

    seen: list[str | None] = []

    def do_GET(self) -> None:  # noqa: N802 - the handler's protocol
        type(self).seen.append(self.headers.get("Authorization"))
        self.send_response(200)
        for name, value in (("Content-Type", "application/json"), ("X-Elastic-Product", "Elasticsearch"),
                            ("Content-Length", str(len(INFO)))):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(INFO)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(context: ssl.SSLContext | None = None) -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen = []
    yield f"{'https' if context else 'http'}://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def http_server() -> Iterator[str]:
    yield from serve()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a test certificate with")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
def https_server(certificate: tuple[Path, Path]) -> Iterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    yield from serve(context)


def fingerprint(cert: Path) -> str:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(cert.read_text())).hexdigest()


def info(url: str, **changes: Any) -> None:
    configured = Settings(_env_file=None, elasticsearch_url=url, **changes)
    with Elasticsearch(**elasticsearch_options(configured), request_timeout=5, max_retries=0) as es:
        es.info()


@pytest.mark.parametrize(("auth", "header"), [
    ({"elasticsearch_api_key": SecretStr("a2V5OnNlY3JldA==")}, "ApiKey a2V5OnNlY3JldA=="),
    ({"elasticsearch_username": "orderflow", "elasticsearch_password": SecretStr("s3cret")},
     "Basic " + base64.b64encode(b"orderflow:s3cret").decode()),
    ({}, None),
])
def test_the_configured_credentials_are_sent(http_server: str, auth: dict[str, Any], header: str | None) -> None:
    info(http_server, **auth)
    assert _Recorder.seen == [header]


def test_the_server_certificate_is_checked_against_the_ca_file(
    https_server: str, certificate: tuple[Path, Path],
) -> None:
    info(https_server, elasticsearch_ca_file=certificate[0], elasticsearch_api_key=SecretStr("k"))
    assert _Recorder.seen == ["ApiKey k"]


def test_the_server_certificate_may_be_pinned_by_its_fingerprint(
    https_server: str, certificate: tuple[Path, Path],
) -> None:
    info(https_server, elasticsearch_ssl_fingerprint=fingerprint(certificate[0]))
    assert _Recorder.seen == [None]


@pytest.mark.parametrize("changes", [{}, {"elasticsearch_ssl_fingerprint": "00" * 32}])
def test_an_unknown_certificate_is_refused(https_server: str, changes: dict[str, Any]) -> None:
    with pytest.raises(TlsError):
        info(https_server, **changes)
    assert _Recorder.seen == []
