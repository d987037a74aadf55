"""API keys, body limits, bad bodies and metrics, on a second command API started with keys and small limits.

Every refused body is a 4xx whose answer says why: which field (``body`` for the whole of it) and the reason."""

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ops.launcher.processes import wait_until
from ops.settings import Settings
from tests.support import unique_id

KEYS = {"shop": {"key": "shop-secret", "scopes": ["write"]}, "dash": {"key": "dash-secret", "scopes": ["read"]}}
MAX_BODY = 4096
MAX_BATCH = 64 * 1024
SHOP = {"Authorization": "Bearer shop-secret"}
DASH = {"Authorization": "Bearer dash-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def guarded(system: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    port = free_port()
    settings = Settings.model_validate({
        **system.model_dump(), "command_api_port": port, "data_dir": Path(tmp_path_factory.mktemp("guarded")),
        "api_keys": KEYS, "max_body_bytes": MAX_BODY, "max_batch_bytes": MAX_BATCH,
    })
    log = (settings.data_dir / "command-api.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "producers"], env={**os.environ, **settings.as_env()},
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            assert wait_until(lambda: _healthy(client), 60), (settings.data_dir / "command-api.log").read_text()
            yield client
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def _healthy(client: httpx.Client) -> bool:
    try:
        return client.get("/health").status_code == 200
    except httpx.TransportError:
        return False


def order(customer_id: str = "C-GUARD") -> dict[str, str]:
    return {"order_id": unique_id("ORD"), "customer_id": customer_id}


def test_without_a_key_a_command_is_401(guarded: httpx.Client) -> None:
    response = guarded.post("/orders", json=order())
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def test_an_unknown_key_is_401(guarded: httpx.Client) -> None:
    assert guarded.post("/orders", json=order(), headers={"Authorization": "Bearer guess"}).status_code == 401


def test_a_key_without_the_write_scope_is_403(guarded: httpx.Client) -> None:
    response = guarded.post("/orders", json=order(), headers=DASH)
    assert response.status_code == 403 and "write" in response.json()["detail"]


def test_a_writer_sends_commands_as_itself_and_follows_them(guarded: httpx.Client) -> None:
    response = guarded.post("/orders", params={"wait": 15}, json=order(), headers=SHOP)
    assert response.status_code == 201
    assert response.json()["events"][0]["actor"] == "shop"
    status_path = f"/commands/{response.json()['command_id']}"
    assert guarded.get(status_path, headers=SHOP).json()["status"] == "accepted"
    assert guarded.get(status_path, headers=DASH).json()["status"] == "accepted"
    assert guarded.get(status_path).status_code == 401


def test_the_batch_endpoint_needs_the_write_scope(guarded: httpx.Client) -> None:
    line = json.dumps({"type": "CreateOrder", "payload": order()}) + "\n"
    assert guarded.post("/commands/batch", content=line, headers=DASH).status_code == 403
    answer = guarded.post("/commands/batch", content=line, headers=SHOP)
    assert json.loads(answer.text.splitlines()[0])["status"] == 202


def assert_too_large(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413
    assert f"larger than {limit} bytes" in response.json()["detail"], response.text


def test_a_body_over_the_limit_is_413(guarded: httpx.Client) -> None:
    body = {**order(), "notes": "x" * 1900, "customer": {"name": "y" * 200, "email": "a@example.com"},
            "items": [{"product_id": f"P-{n}", "product_name": "z" * 150, "quantity": 1, "unit_price": "1.00"}
                      for n in range(20)]}
    assert_too_large(guarded.post("/orders", json=body, headers=SHOP), MAX_BODY)


def test_a_chunked_body_over_the_limit_is_413(guarded: httpx.Client) -> None:
    pieces = [b'{"customer_id": "C-1", "notes": "', *([b"n" * 1024] * 8), b'"}']
    response = guarded.post("/orders", content=iter(pieces), headers={**SHOP, "content-type": "application/json"})
    assert_too_large(response, MAX_BODY)


def test_a_batch_over_its_limit_is_413(guarded: httpx.Client) -> None:
    line = json.dumps({"type": "CreateOrder", "payload": order()}) + "\n"
    assert_too_large(guarded.post("/commands/batch", content=line * (MAX_BATCH // len(line) + 1), headers=SHOP),
                     MAX_BATCH)


def test_a_chunked_batch_stops_with_a_413_line_at_its_limit(guarded: httpx.Client) -> None:
    lines = [(json.dumps({"type": "CreateOrder", "payload": order()}) + "\n").encode() for _ in range(1000)]
    response = guarded.post("/commands/batch", content=iter(lines), headers=SHOP)
    results = [json.loads(line) for line in response.text.splitlines()]
    assert results[-1]["status"] == 413 and results[-1]["line"] is None
    assert f"larger than {MAX_BATCH} bytes" in results[-1]["error"]
    assert 0 < len(results) - 1 < len(lines)
    assert {result["status"] for result in results[:-1]} == {202}


def refusal(response: httpx.Response) -> dict[str, str]:
    """Each refused field with its reason, from a 422 answer."""
    assert response.status_code == 422, response.text
    return {entry["field"]: entry["reason"] for entry in response.json()["detail"]}


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"customer_id": "C-1",', "JSON"),
    (b'{"customer_id": "C-1"} and more', "JSON"),
    (b"\xff\xfe{}", "JSON"),
    (b"", "required"),
], ids=["truncated", "trailing-garbage", "not-utf-8", "empty"])
def test_malformed_json_is_422_saying_the_body_is_unreadable(guarded: httpx.Client, body: bytes, reason: str) -> None:
    response = guarded.post("/orders", content=body, headers={**SHOP, "content-type": "application/json"})
    assert reason in refusal(response)["body"]


@pytest.mark.parametrize(("path", "body", "field", "reason"), [
    ("/orders", {"customer_id": 42}, "customer_id", "valid string"),
    ("/orders", {"customer_id": "C-1", "items": "many"}, "items", "valid list"),
    ("/orders", {"customer_id": "C-1", "items": [
        {"product_id": "P-1", "product_name": "Pen", "quantity": "lots", "unit_price": "1.00"}]},
     "items.0.quantity", "valid integer"),
    ("/orders/ORD-1/items", {"product_id": "P-1", "product_name": "Pen", "quantity": 1, "unit_price": {"eur": 1}},
     "unit_price", "Decimal"),
    ("/orders/ORD-1/payments", {"amount": [], "method": "card", "reference": "R-1"}, "amount", "Decimal"),
    ("/customers", {"name": ["Ada"], "email": "ada@example.com"}, "name", "valid string"),
    ("/orders", [{"customer_id": "C-1"}], "body", "dictionary"),
], ids=["string-as-number", "list-as-string", "nested-integer", "money-as-object", "money-as-list",
        "name-as-list", "array-for-object"])
def test_a_wrongly_typed_body_is_422_naming_the_field_and_why(
    guarded: httpx.Client, path: str, body: object, field: str, reason: str,
) -> None:
    assert reason in refusal(guarded.post(path, json=body, headers=SHOP)).get(field, "")


def test_metrics_count_commands_answers_and_lag(guarded: httpx.Client) -> None:
    guarded.post("/orders", params={"wait": 15}, json=order(), headers=SHOP)
    text = guarded.get("/metrics").text
    assert 'orderflow_commands_published_total{type="CreateOrder"}' in text
    assert 'orderflow_commands_decided_total{code="",outcome="accepted",type="CreateOrder"}' in text
    assert 'orderflow_http_request_duration_seconds_count{method="POST",route="/orders",status="201"}' in text
    assert 'orderflow_http_request_duration_seconds_count{method="POST",route="/orders",status="401"}' in text
    assert "orderflow_producer_queue_depth " in text
    assert 'orderflow_decider_lag_records{partition="0",topic="orders.commands"}' in text
