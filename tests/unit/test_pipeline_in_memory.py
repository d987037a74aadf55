"""The whole pipeline in memory: commands sent through the command bus, decided, their events folded into documents.
Every port is an in-memory adapter (``producers.memory``, ``streams.memory``); every step is the code the command
API and the worker run. A lifecycle takes a few milliseconds."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic_core import from_json

from producers.commands import CommandBus, CommandContext
from producers.memory import MemoryCommandStore, MemoryOutcomes, MemoryPublisher
from producers.ports import Record
from schemas.customers import RegisterCustomer
from schemas.envelope import Payload
from schemas.inventory import ReceiveStock
from schemas.mappings import CUSTOMERS, INVENTORY, ORDER_EVENTS, ORDERS
from schemas.orders import (
    AddItem,
    CancelOrder,
    ConfirmOrder,
    CreateOrder,
    DeliverOrder,
    LineItem,
    RecordPayment,
    ShipOrder,
    SubmitOrder,
)
from schemas.outcomes import CommandOutcome, OutcomeStatus, RawOutcome
from schemas.topics import DEADLETTER, ORDERS_COMMANDS
from streams import records
from streams.deciding import OUTCOMES_STORE
from streams.memory import MemoryDocuments, MemoryWorker
from streams.specs import AGGREGATES, PROJECTIONS

DECIDED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ADDRESS = {"line1": "1 Main Street", "city": "Berlin", "postal_code": "10115", "country": "DE"}


class Shop:
    """The command API's bus and the worker joined by an in-memory log: what the bus publishes is decided and
    folded before the publish returns, and its outcome reaches the bus's feed as the outcome follower hands it on."""

    def __init__(self) -> None:
        self.documents = MemoryDocuments()
        self.worker = MemoryWorker(AGGREGATES, PROJECTIONS, documents=self.documents, clock=lambda: DECIDED_AT)
        self.store = MemoryCommandStore()
        self.outcomes = MemoryOutcomes(self.store)
        self.bus = CommandBus(MemoryPublisher(self._deliver), self.outcomes, self.store)

    def _deliver(self, sent: Sequence[Record]) -> None:
        self.worker.log.append(records.Record(record.topic, record.key, record.value) for record in sent)
        self.worker.run()
        stored = [self.worker.stores.read(OUTCOMES_STORE, 0, from_json(record.value)["id"]) for record in sent]
        self.outcomes.decided([RawOutcome.of_json(outcome) for outcome in stored if outcome is not None])

    async def send(self, payload: Payload, expected_version: int | None = None) -> CommandOutcome:
        context = CommandContext(actor="test", correlation_id=uuid.uuid4(), expected_version=expected_version)
        sent = await self.bus.send(payload, context, wait_s=1.0)
        assert sent.outcome is not None, f"{type(payload).__name__} was not decided"
        return sent.outcome

    async def accepted(self, *payloads: Payload) -> list[CommandOutcome]:
        outcomes = [await self.send(payload) for payload in payloads]
        assert [(outcome.status, outcome.code) for outcome in outcomes] == [(OutcomeStatus.ACCEPTED, None)] * len(
            outcomes), [outcome.reason for outcome in outcomes]
        return outcomes

    def document(self, index: str, doc_id: str) -> tuple[int, dict[str, Any]]:
        held = self.documents.document(index, doc_id)
        assert held is not None, f"{index}/{doc_id} is not indexed"
        return held

    def order_timeline(self, order_id: str) -> list[tuple[int, str]]:
        entries = self.documents.indexes.get(ORDER_EVENTS.alias, {}).values()
        return sorted((version, entry["type"]) for version, entry in entries if entry["order_id"] == order_id)

    @property
    def dead_letters(self) -> list[bytes | None]:
        return [record.value for record in self.worker.log.records if record.topic == DEADLETTER]


def pen(quantity: int) -> LineItem:
    return LineItem(product_id="P-PEN", product_name="Pen", quantity=quantity, unit_price=Decimal("1.50"))


async def stocked_shop(pens: int = 10, inks: int = 5) -> Shop:
    shop = Shop()
    await shop.accepted(ReceiveStock(sku="P-PEN", quantity=pens, product_name="Pen"),
                        ReceiveStock(sku="P-INK", quantity=inks, product_name="Ink"),
                        RegisterCustomer(customer_id="C-1", name="Ada Lovelace", email="ada@example.com"))
    return shop


def counted(customer: dict[str, Any]) -> dict[str, int]:
    """The statuses the customer has orders in."""
    return {status: count for status, count in customer["orders_by_status"].items() if count}


def create(order_id: str = "ORD-1", *items: LineItem) -> CreateOrder:
    return CreateOrder(order_id=order_id, customer_id="C-1", customer={"name": "Ada", "email": "ada@example.com"},
                       items=list(items), shipping_address=ADDRESS)


async def test_an_order_placed_paid_shipped_and_delivered() -> None:
    shop = await stocked_shop()
    outcomes = await shop.accepted(
        create("ORD-1", pen(2)),
        AddItem(order_id="ORD-1", product_id="P-INK", product_name="Ink", quantity=1, unit_price=Decimal("3.25")),
        SubmitOrder(order_id="ORD-1"),
        RecordPayment(order_id="ORD-1", amount=Decimal("6.25"), method="card", reference="PAY-1"),
        ConfirmOrder(order_id="ORD-1"),
        ShipOrder(order_id="ORD-1", carrier="DHL", tracking_number="TRACK-1"),
        DeliverOrder(order_id="ORD-1"),
    )
    version, order = shop.document(ORDERS.alias, "ORD-1")
    assert version == order["version"] == outcomes[-1].version
    assert (order["status"], order["total_amount"], order["amount_paid"], order["payment_status"]) == (
        "DELIVERED", "6.25", "6.25", "paid")
    assert (order["item_count"], order["backordered_quantity"], order["shipping"]) == (
        3, 0, {"carrier": "DHL", "tracking_number": "TRACK-1"})
    assert order["delivered_at"] is not None and order["behind"] is None
    timeline = shop.order_timeline("ORD-1")
    assert [entry_version for entry_version, _ in timeline] == list(range(1, version + 1))
    assert [kind for _, kind in timeline][-4:] == ["PaymentRecorded", "OrderConfirmed", "OrderShipped",
                                                   "OrderDelivered"]
    _, stock = shop.document(INVENTORY.alias, "P-PEN")
    assert (stock["on_hand"], stock["reserved"], stock["available"], stock["open_orders"]) == (8, 0, 8, 0)
    _, customer = shop.document(CUSTOMERS.alias, "C-1")
    assert (customer["name"], customer["placed_orders"], customer["total_spent"], counted(customer)) == (
        "Ada Lovelace", 1, "6.25", {"DELIVERED": 1})
    assert shop.dead_letters == []


async def test_a_cancelled_order_releases_what_it_reserved() -> None:
    shop = await stocked_shop(pens=3)
    await shop.accepted(create("ORD-1", pen(2)), SubmitOrder(order_id="ORD-1"))
    _, stock = shop.document(INVENTORY.alias, "P-PEN")
    assert (stock["reserved"], stock["available"]) == (2, 1)
    [cancelled] = await shop.accepted(CancelOrder(order_id="ORD-1", reason="changed my mind"))
    version, order = shop.document(ORDERS.alias, "ORD-1")
    assert (version, order["status"], order["cancel_reason"]) == (cancelled.version, "CANCELLED", "changed my mind")
    _, stock = shop.document(INVENTORY.alias, "P-PEN")
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (3, 0, 3)
    _, customer = shop.document(CUSTOMERS.alias, "C-1")
    assert (customer["total_orders"], customer["placed_orders"], counted(customer)) == (1, 0, {"CANCELLED": 1})


async def test_an_order_beyond_the_stock_is_backordered() -> None:
    shop = await stocked_shop(pens=1)
    await shop.accepted(create("ORD-1", pen(3)), SubmitOrder(order_id="ORD-1"))
    _, order = shop.document(ORDERS.alias, "ORD-1")
    assert (order["status"], order["items"][0]["backordered"], order["backordered_quantity"]) == ("SUBMITTED", 2, 2)
    _, stock = shop.document(INVENTORY.alias, "P-PEN")
    assert (stock["on_hand"], stock["reserved"], stock["backordered"]) == (1, 1, 2)


async def test_rejected_commands_leave_the_documents_as_they_were() -> None:
    shop = await stocked_shop()
    [created] = await shop.accepted(create("ORD-1", pen(2)))
    before = shop.document(ORDERS.alias, "ORD-1")
    refused = [
        await shop.send(ShipOrder(order_id="ORD-1", carrier="DHL", tracking_number="TRACK-1")),
        await shop.send(RecordPayment(order_id="ORD-1", amount=Decimal("3.00"), method="card", reference="PAY-1")),
        await shop.send(SubmitOrder(order_id="ORD-1"), expected_version=(created.version or 0) + 5),
        await shop.send(create("ORD-1", pen(1))),
    ]
    assert [(outcome.status, outcome.code) for outcome in refused] == [
        (OutcomeStatus.REJECTED, "not_confirmed"), (OutcomeStatus.REJECTED, "payment_not_allowed"),
        (OutcomeStatus.REJECTED, "version_conflict"), (OutcomeStatus.REJECTED, "already_exists"),
    ]
    assert all(outcome.version == created.version and outcome.events == [] for outcome in refused)
    assert shop.document(ORDERS.alias, "ORD-1") == before
    assert len(shop.order_timeline("ORD-1")) == created.version


async def test_an_outcome_is_kept_for_the_status_route_and_a_repeat_is_not_published_again() -> None:
    shop = await stocked_shop()
    context = CommandContext(actor="test", correlation_id=uuid.uuid4(), idempotency_key="order-1")
    first = await shop.bus.send(create("ORD-1", pen(1)), context, wait_s=1.0)
    again = await shop.bus.send(create("ORD-1", pen(1)), context, wait_s=1.0)
    assert first.outcome is not None and again.outcome == first.outcome
    assert shop.store.outcome(first.command.id) == first.outcome and shop.store.pending(first.command.id) is None
    assert [record.key for record in shop.worker.log.records if record.topic == ORDERS_COMMANDS] == [b"ORD-1"]
