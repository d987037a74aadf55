"""Load for fault tests: scripted orders sent through the command API while a fault happens.

Each order is a script of commands with the state it must end in. Scripts are sent concurrently, each one in
order; every command carries an ``Idempotency-Key`` and is sent again on a transport error or a 5xx until it is
accepted (202), as a careful client would, so a command is never lost by the client and never meant twice.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from ops.settings import Settings
from tests.support import unique_id

STOCK_PER_SKU = 100_000
RETRY_PAUSE_S = 0.5


@dataclass(frozen=True)
class Command:
    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class OrderScript:
    """The commands for one order and what they must leave: its status and its lines (quantity, unit price)."""

    order_id: str
    customer_id: str
    commands: tuple[Command, ...]
    status: str
    lines: dict[str, tuple[int, Decimal]]

    @property
    def total(self) -> Decimal:
        return sum((quantity * price for quantity, price in self.lines.values()), Decimal("0.00"))


PRICES = (Decimal("4.25"), Decimal("10.10"), Decimal("0.99"))


def order_script(order_id: str, customer_id: str, skus: list[str], n: int) -> OrderScript:
    """The ``n``-th order's script: three products, the first added twice (its quantities merge), then one of the
    endings in turn."""
    path = f"/orders/{order_id}"
    picked = [skus[(n + k) % len(skus)] for k in range(3)]
    lines = {sku: (k + 1 + n % 3, PRICES[k]) for k, sku in enumerate(picked)}
    adds = [Command("POST", f"{path}/items", _item(sku, quantity, price)) for sku, (quantity, price) in lines.items()]
    quantity, price = lines[picked[0]]
    adds.append(Command("POST", f"{path}/items", _item(picked[0], 2, price)))
    lines[picked[0]] = (quantity + 2, price)
    ending, status, lines = _ending(path, n % 4, lines, f"PAY-{order_id}")
    opening = Command("POST", "/orders", {"order_id": order_id, "customer_id": customer_id})
    return OrderScript(order_id, customer_id, (opening, *adds, *ending), status, lines)


def _ending(path: str, variant: int, lines: dict[str, tuple[int, Decimal]],
            reference: str) -> tuple[list[Command], str, dict[str, tuple[int, Decimal]]]:
    """Submitted; submitted, confirmed and paid in full; cancelled after submission; or left a draft with its last
    line removed. Returns the commands, the status they leave and the lines that remain."""
    submit = Command("POST", f"{path}/submit")
    if variant == 0:
        return [submit], "SUBMITTED", lines
    if variant == 1:
        total = sum((quantity * price for quantity, price in lines.values()), Decimal("0.00"))
        paid = Command("POST", f"{path}/payments", {"amount": str(total), "method": "card", "reference": reference})
        return [submit, Command("POST", f"{path}/confirm"), paid], "CONFIRMED", lines
    if variant == 2:
        return [submit, Command("POST", f"{path}/cancel", {"reason": "changed their mind"})], "CANCELLED", lines
    removed = list(lines)[-1]
    kept = {sku: line for sku, line in lines.items() if sku != removed}
    return [Command("DELETE", f"{path}/items/{removed}")], "DRAFT", kept


def _item(sku: str, quantity: int, price: Decimal) -> dict[str, Any]:
    return {"product_id": sku, "product_name": f"Fault part {sku}", "quantity": quantity, "unit_price": str(price)}


@dataclass
class Workload:
    """Orders of one customer over products of their own, stocked so that every line is reserved in full."""

    customer_id: str
    skus: list[str]
    scripts: list[OrderScript]
    accepted: list[str] = field(default_factory=list)  # command ids, appended by the sender threads
    refused: list[str] = field(default_factory=list)  # 5xx answers and transport errors, each sent again

    @classmethod
    def new(cls, name: str, orders: int, skus: list[str] | None = None, customer_id: str | None = None,
            order_ids: list[str] | None = None) -> "Workload":
        skus = skus or [unique_id(f"SKU-{name}") for _ in range(4)]
        customer_id = customer_id or unique_id(f"C-{name}")
        order_ids = order_ids or [unique_id(f"ORD-{name}") for _ in range(orders)]
        return cls(customer_id, skus, [order_script(order_id, customer_id, skus, n) for n, order_id in enumerate(order_ids)])

    @property
    def order_ids(self) -> set[str]:
        return {script.order_id for script in self.scripts}

    def stock(self, commands: httpx.Client) -> None:
        """Receive stock for every product before the orders come."""
        for sku in self.skus:
            received = commands.post(f"/inventory/{sku}/receipts", params={"wait": 15},
                                     json={"quantity": STOCK_PER_SKU, "product_name": f"Fault part {sku}"})
            assert received.status_code in (200, 201) and received.json()["status"] == "accepted", received.text


def send_until_accepted(client: httpx.Client, command: Command, key: str, deadline: float,
                        refused: list[str] | None = None) -> str:
    """Send ``command`` until it is accepted for processing; returns its command id. A 4xx is a failure; each 5xx
    or transport error is noted in ``refused``."""
    noted = refused if refused is not None else []
    while True:
        try:
            response = client.request(command.method, command.path, json=command.body,
                                      headers={"Idempotency-Key": key})
            if response.status_code == 202:
                return str(response.json()["command_id"])
            assert response.status_code >= 500, f"{command.method} {command.path}: {response.status_code} {response.text}"
            noted.append(f"{response.status_code} {response.text[:200]}")
        except httpx.TransportError as error:
            noted.append(repr(error))
        assert time.monotonic() < deadline, f"{command.method} {command.path} was not accepted in time"
        time.sleep(RETRY_PAUSE_S)


def send_script(base_url: str, script: OrderScript, workload: Workload, started: threading.Event,
                pause_s: float, deadline: float) -> None:
    with httpx.Client(base_url=base_url, timeout=90) as client:
        for index, command in enumerate(script.commands):
            key = f"{script.order_id}/{index}"
            workload.accepted.append(send_until_accepted(client, command, key, deadline, workload.refused))
            started.set()
            time.sleep(pause_s)


def no_fault() -> None:
    pass


def run_under_fault(settings: Settings, workload: Workload, fault: Callable[[], None] = no_fault,
                    pause_s: float = 0.15, senders: int = 8, within_s: float = 300.0) -> None:
    """Send every script while ``fault`` runs (it starts once the first command is accepted)."""
    base_url = f"http://127.0.0.1:{settings.command_api_port}"
    started = threading.Event()
    deadline = time.monotonic() + within_s
    with ThreadPoolExecutor(max_workers=senders) as pool:
        sending = [pool.submit(send_script, base_url, script, workload, started, pause_s, deadline)
                   for script in workload.scripts]
        assert started.wait(60), "no command was accepted"
        fault()
        for sender in sending:
            sender.result()
    assert len(workload.accepted) == sum(len(script.commands) for script in workload.scripts)
