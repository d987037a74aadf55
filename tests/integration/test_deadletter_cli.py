"""`orderflow deadletter list|resend` against the real broker, with dead letters of its own."""

import io
import json
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

from common.deadletters import accepted_types
from ops.cli import main
from ops.launcher import stack
from ops.settings import Settings
from schemas.orders import CreateOrder, OrderCreated
from schemas.topics import ORDERS_COMMANDS
from tests.support import BROKEN, create_order_bytes, eventually, put_dead_letter, read_topic, unique_id


@pytest.fixture(scope="module")
def system(settings: Settings) -> Settings:
    """Everything, the worker and query API included: a resent command has to be decided and projected."""
    stack.up(settings)
    return settings


class BrokenOrder(NamedTuple):
    order_id: str
    handle: str


@pytest.fixture
def broken(servers: Settings) -> BrokenOrder:
    """A dead letter of its own: a CreateOrder for a fresh order id whose JSON breaks off."""
    order_id = unique_id("ORD")
    return BrokenOrder(order_id, put_dead_letter(servers, order_id))


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["deadletter", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def resend_from_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, handle: str, value: bytes
) -> tuple[int, str, str]:
    corrected = tmp_path / "corrected.json"
    corrected.write_bytes(value)
    return run_cli(capsys, "resend", handle, "--value-file", str(corrected))


def commands_keyed(settings: Settings, key: str) -> list[Any]:
    return read_topic(settings.kafka_bootstrap, ORDERS_COMMANDS, key.encode())


def test_orders_commands_accept_order_commands_only() -> None:
    accepted = accepted_types(ORDERS_COMMANDS)
    assert CreateOrder in accepted and OrderCreated not in accepted


def test_list_json_shows_the_dead_letter_with_its_handle(
    broken: BrokenOrder, capsys: pytest.CaptureFixture[str]
) -> None:
    order_id, handle = broken

    code, out, _ = run_cli(capsys, "list", "--json", "--topic", ORDERS_COMMANDS, "--limit", "0")

    assert code == 0
    mine = [entry for entry in map(json.loads, out.splitlines()) if entry["key"] == order_id]
    assert len(mine) == 1
    assert mine[0]["handle"] == handle
    assert (mine[0]["value"].encode(), mine[0]["value_encoding"]) == (BROKEN, "utf-8")
    assert mine[0]["error"] == "record: Invalid JSON" and mine[0]["source_topic"] == ORDERS_COMMANDS


def test_list_filters_by_source_topic_and_keeps_the_last_n(
    servers: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    source_topic = unique_id("test.commands").lower()
    handles = [put_dead_letter(servers, unique_id("ORD"), source_topic=source_topic) for _ in range(3)]

    code, out, _ = run_cli(capsys, "list", "--topic", source_topic, "--limit", "2")

    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == handles[1:]


def test_resend_without_a_fix_is_refused_and_nothing_is_produced(
    servers: Settings, broken: BrokenOrder, capsys: pytest.CaptureFixture[str]
) -> None:
    order_id, handle = broken

    code, out, err = run_cli(capsys, "resend", handle)

    assert code == 1 and out == ""
    assert err.startswith(f"orderflow: not a valid record for {ORDERS_COMMANDS}: ") and err.count("\n") == 1
    assert commands_keyed(servers, order_id) == []


def test_resend_refuses_a_correction_for_another_order(
    servers: Settings, broken: BrokenOrder, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    order_id, handle = broken

    code, _, err = resend_from_file(capsys, tmp_path, handle, create_order_bytes(unique_id("ORD")))

    assert code == 1 and "is not the record key" in err
    assert commands_keyed(servers, order_id) == []


def test_resend_with_a_corrected_command_lands_on_the_source_topic_with_the_original_key(
    servers: Settings, broken: BrokenOrder, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    order_id, handle = broken
    corrected = create_order_bytes(order_id)

    code, out, _ = resend_from_file(capsys, tmp_path, handle, corrected)

    assert code == 0
    [record] = commands_keyed(servers, order_id)
    assert (record.key(), record.value()) == (order_id.encode(), corrected)
    landed = f"{ORDERS_COMMANDS} partition {record.partition()} offset {record.offset()}"
    assert out.strip() == f"resent dead letter {handle} to {landed}"


def test_resend_from_standard_input_gets_the_order_decided(
    system: Settings, broken: BrokenOrder, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id, handle = broken
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(create_order_bytes(order_id))))

    code, _, _ = run_cli(capsys, "resend", handle, "--value-file", "-")

    assert code == 0
    url = f"http://127.0.0.1:{system.query_api_port}/orders/{order_id}"
    order = eventually(lambda: (response := httpx.get(url)).status_code == 200 and response.json())
    assert order["customer_id"] == "C-DEADLETTER"


@pytest.mark.parametrize(("handle", "message"), [
    ("0:999999999", "no dead letter at 0:999999999"), ("99:0", "no dead letter at 99:0"),
    ("zero:1", "bad dead-letter handle 'zero:1'"), ("1", "bad dead-letter handle '1'"),
])
def test_resend_of_an_unknown_or_malformed_handle_fails(
    servers: Settings, capsys: pytest.CaptureFixture[str], handle: str, message: str
) -> None:
    code, out, err = run_cli(capsys, "resend", handle)

    assert code == 1 and out == ""
    assert err.startswith(f"orderflow: {message}") and err.count("\n") == 1
