"""Sending planned commands to the command API: one request per command, or NDJSON batches."""

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from bench.orders import OrderPlan, PlannedCommand
from bench.wire import batch_line, http_command

NDJSON = {"content-type": "application/x-ndjson"}


class CommandRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class Accepted:
    command: PlannedCommand
    command_id: str
    sent_at: float  # time.monotonic()
    accepted_at: float

    @property
    def seconds(self) -> float:
        return self.accepted_at - self.sent_at


def command_api(base_url: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits)


async def send_one(client: httpx.AsyncClient, command: PlannedCommand) -> Accepted:
    """POST the command without waiting for its decision; the API answers 202 once Kafka stored it."""
    request = http_command(command)
    sent_at = time.monotonic()
    response = await client.post(request.path, json=request.body)
    accepted_at = time.monotonic()
    if response.status_code != 202:
        raise CommandRefused(f"POST {request.path} answered {response.status_code}: {response.text[:300]}")
    return Accepted(command, response.json()["command_id"], sent_at, accepted_at)


@dataclass(frozen=True)
class BatchAnswer:
    command_ids: list[str]
    refused: list[str]

    @property
    def accepted(self) -> int:
        return len(self.command_ids)


async def post_batch(client: httpx.AsyncClient, commands: Sequence[PlannedCommand] | bytes) -> BatchAnswer:
    """Commands, or their NDJSON body rendered beforehand."""
    body = commands if isinstance(commands, bytes) else b"".join(batch_line(command) for command in commands)
    response = await client.post("/commands/batch", content=body, headers=NDJSON)
    if response.status_code != 200:
        raise CommandRefused(f"POST /commands/batch answered {response.status_code}: {response.text[:300]}")
    results = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    return BatchAnswer([r["command_id"] for r in results if r["status"] == 202],
                       [json.dumps(r) for r in results if r["status"] != 202])


def chunks(items: Sequence[PlannedCommand], size: int) -> list[Sequence[PlannedCommand]]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def in_send_order(plans: Sequence[OrderPlan]) -> list[PlannedCommand]:
    """Every plan's commands, plans one after the other (each order's commands stay in order)."""
    return [command for plan in plans for command in plan.commands]
