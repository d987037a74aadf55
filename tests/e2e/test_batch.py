"""``POST /commands/batch``: thousands of NDJSON commands, one result line each; bad lines don't stop good ones."""

import json

import httpx

from ops.settings import Settings
from tests.support import eventually, unique_id

ORDERS = 1000


def ndjson(*lines: object) -> bytes:
    return b"".join((line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in lines)


def lines_for(order_id: str) -> list[dict]:
    return [
        {"type": "CreateOrder", "payload": {"order_id": order_id, "customer_id": "C-BATCH"}},
        {"type": "AddItem", "payload": {"order_id": order_id, "product_id": "P-1", "product_name": "Pen",
                                        "quantity": 3, "unit_price": "1.50"}},
        {"type": "SubmitOrder", "payload": {"order_id": order_id}, "expected_version": 2},
    ]


def results_of(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_thousands_of_commands_are_answered_line_by_line_and_decided(commands: httpx.Client) -> None:
    order_ids = [unique_id("ORD-BATCH") for _ in range(ORDERS)]
    body = ndjson(*(line for order_id in order_ids for line in lines_for(order_id)))
    results = results_of(commands.post("/commands/batch", content=body, timeout=120))
    assert [result["line"] for result in results] == list(range(1, 3 * ORDERS + 1))
    assert {result["status"] for result in results} == {202}
    assert [result["aggregate_id"] for result in results[::3]] == order_ids
    submits = [result["status_url"] for result in results[2::3]]
    decided = [eventually(lambda url=url: (s := commands.get(url).json())["status"] != "pending" and s, timeout_s=180)
               for url in submits]
    assert {(outcome["status"], outcome["version"]) for outcome in decided} == {("accepted", 3)}


def test_bad_lines_get_their_own_error_and_good_lines_go_through(commands: httpx.Client) -> None:
    order_id = unique_id("ORD-BATCH")
    good = lines_for(order_id)
    body = ndjson(
        good[0],
        b"{this is not json",
        {"type": "LaunchRocket", "payload": {}},
        {"type": "AddItem", "payload": {"order_id": order_id, "product_id": "P-1", "product_name": "Pen",
                                        "quantity": 0, "unit_price": "1.50"}},
        {"type": "AddItem", "payload": {"order_id": order_id}, "colour": "red"},
        good[1],
        b'{"type": "AddItem", "payload": {"order_id": "' + b"x" * 2_000_000 + b'"}}',
        good[2],
    )
    results = results_of(commands.post("/commands/batch", content=body, timeout=60))
    assert [result["status"] for result in results] == [202, 422, 422, 422, 422, 202, 413, 202]
    fields = [{error["field"] for error in result.get("errors", [])} for result in results]
    assert fields[1] == {"line"} and fields[2] == {"type"} and fields[3] == {"payload.quantity"}
    assert fields[4] == {"colour"}
    decided = eventually(lambda: (s := commands.get(results[-1]["status_url"]).json())["status"] != "pending" and s)
    assert decided["status"] == "accepted" and decided["version"] == 3


def test_idempotency_keys_in_a_batch_have_one_effect(system: Settings, commands: httpx.Client) -> None:
    order_id = unique_id("ORD-BATCH")
    create, add, _ = lines_for(order_id)
    keyed_add = {**add, "idempotency_key": unique_id("K")}
    first = results_of(commands.post("/commands/batch", content=ndjson(create, keyed_add, keyed_add)))
    second = results_of(commands.post("/commands/batch", content=ndjson(keyed_add, {**keyed_add, "payload": {
        **add["payload"], "quantity": 9}})))
    assert first[1]["command_id"] == first[2]["command_id"] == second[0]["command_id"]
    assert second[1]["status"] == 422 and second[1]["errors"][0]["field"] == "idempotency_key"
    answer = commands.post(f"/orders/{order_id}/submit", params={"wait": 30})
    assert answer.json()["events"][0]["payload"]["items"][0]["quantity"] == 3
