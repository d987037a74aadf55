"""Kafka stopped: a command is answered 503 with Retry-After within the publish deadline and nothing is recorded
as accepted, /health names Kafka; once Kafka is back the same command with its Idempotency-Key is accepted, once."""

import json

import httpx

from common.web.auth import ANONYMOUS
from ops.launcher import kafka, stack
from ops.settings import Settings
from producers.commands import idempotent_command_id
from schemas.topics import ORDERS_COMMANDS
from tests.support import eventually, read_topic, unique_id

# How much later than the publish deadline the 503 may come: the request's own work and a busy machine.
ANSWER_MARGIN_S = 10.0


def _health(commands: httpx.Client) -> httpx.Response:
    return commands.get("/health")


def test_a_command_while_kafka_is_away_is_503_and_its_retry_is_accepted_once(
    system: Settings, commands: httpx.Client,
) -> None:
    order_id, key = unique_id("ORD-AWAY"), unique_id("away")
    body, headers = {"order_id": order_id, "customer_id": "C-AWAY"}, {"Idempotency-Key": key}
    command_id = str(idempotent_command_id(ANONYMOUS, key))
    assert kafka.process(system).stop(), "Kafka was not running"
    try:
        with httpx.Client(base_url=str(commands.base_url), timeout=system.publish_timeout_s + ANSWER_MARGIN_S) as client:
            refused = client.post("/orders", json=body, headers=headers)
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] and "Kafka" in refused.json()["detail"]
        assert commands.get(f"/commands/{command_id}").status_code == 404  # nothing recorded as accepted
        unhealthy = eventually(lambda: (answer := _health(commands)).status_code == 503 and answer, timeout_s=30)
        assert "kafka" in unhealthy.json()["problems"]
    finally:
        stack.up(system)

    eventually(lambda: _health(commands).status_code == 200, timeout_s=60)
    accepted = commands.post("/orders", json=body, headers=headers)
    again = commands.post("/orders", json=body, headers=headers)
    assert (accepted.status_code, again.status_code) == (202, 202), (accepted.text, again.text)
    assert accepted.json()["command_id"] == again.json()["command_id"] == command_id
    published = [json.loads(record.value())["id"]
                 for record in read_topic(system.kafka_bootstrap, ORDERS_COMMANDS, key=order_id.encode())]
    assert published == [command_id]
