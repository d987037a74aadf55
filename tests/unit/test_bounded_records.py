"""Every record the worker writes stays under the producer's largest record, for the largest order the command API
accepts and for a SKU with 20,000 open reservations; and a command on that SKU reads and writes no more than on a
fresh one (within 2x). Work is counted in keys and bytes through the stores' port, never timed."""

import json
from collections.abc import Iterable
from decimal import Decimal

from domain.order import decide as decide_order
from domain.order import evolve as evolve_order
from ops.settings import Settings
from schemas.codec import encode
from schemas.envelope import Envelope, Payload
from schemas.inventory import ReceiveStock, ReleaseStock, ReserveStock
from schemas.orders import MAX_LINES, AddItem, CreateOrder, LineItem, SubmitOrder
from schemas.topics import INVENTORY_COMMANDS, ORDERS_COMMANDS
from streams.deciding import Deciders, Decisions
from streams.folding import decide_settled
from streams.memory import MemoryStores, MemoryWorker
from streams.ports import StoreWrite
from streams.records import Consumed, Record
from streams.specs import AGGREGATES, INVENTORY_AGGREGATE, PROJECTIONS
from tests.unit.envelopes import AT, command

LIMIT = Settings().max_record_bytes
WIDE = "\U0001F9F5"  # four bytes in UTF-8
BODY_LIMIT = Settings().max_body_bytes


def widest_line(number: int) -> LineItem:
    return LineItem(product_id=f"{number:04d}" + WIDE * 59, product_name=WIDE * 200, quantity=999_999,
                    unit_price=Decimal("1.99"))


def largest_order(number: int = 0) -> CreateOrder:
    """As many of the widest lines as fit a body the API takes, and every text field at its longest; each order of
    the one customer buys products of its own."""
    order = CreateOrder(order_id=f"ORD-{number}" + "9" * 58, customer_id="C" * 64,
                        customer={"name": WIDE * 200, "email": "ada@example.com"},
                        items=[widest_line(number * MAX_LINES + n) for n in range(MAX_LINES)],
                        shipping_address={"line1": WIDE * 500, "line2": WIDE * 500, "city": WIDE * 100,
                                          "postal_code": "N" * 20, "country": "GB"},
                        notes=WIDE * 2000)
    assert len(order.model_dump_json().encode()) <= BODY_LIMIT
    return order


class WrittenStores(MemoryStores):
    """Memory stores that note the size of every write."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[tuple[str, int]] = []  # (what, bytes)

    def apply(self, writes: Iterable[StoreWrite]) -> None:
        writes = list(writes)
        self.written += [(f"{store} {key}", len(value or b"") + len(key.encode()) + 2) for store, _, key, value in writes]
        super().apply(writes)


def written(worker: MemoryWorker, stores: WrittenStores) -> list[tuple[str, int]]:
    """(what, bytes) of every record on the log and every store write."""
    records = [(f"record on {r.topic}", len(r.value or b"") + len(r.key or b"")) for r in worker.log.records]
    return records + stores.written


def record(payload: Payload, aggregate_id: str, topic: str = ORDERS_COMMANDS) -> Record:
    envelope: Envelope[Payload] = command(payload, aggregate_id)
    return Record(topic, aggregate_id.encode(), encode(envelope))


def consumed(payload: Payload, aggregate_id: str, topic: str = ORDERS_COMMANDS) -> Consumed:
    sent = record(payload, aggregate_id, topic)
    return Consumed(topic, 0, 0, sent.key, sent.value)


def test_the_largest_orders_are_decided_projected_and_every_record_fits() -> None:
    orders = [largest_order(number) for number in range(3)]
    stores = WrittenStores()
    worker = MemoryWorker(AGGREGATES, PROJECTIONS, stores=stores, clock=lambda: AT)
    worker.log.append(record(payload, order.order_id) for order in orders
                      for payload in (order, SubmitOrder(order_id=order.order_id)))
    worker.run()
    for order in orders:
        state = json.loads(worker.stores.read("order-aggregates", 0, order.order_id) or b"{}")
        assert (state["status"], len(state["items"])) == ("SUBMITTED", MAX_LINES)
    biggest = max(written(worker, stores), key=lambda written: written[1])
    assert biggest[1] < LIMIT, biggest
    assert biggest[1] > LIMIT // 4  # the test does build large records


def test_an_order_takes_no_more_lines_than_a_create_order_may_carry() -> None:
    create = CreateOrder(order_id="ORD-1", customer_id="C-1", items=[widest_line(n) for n in range(MAX_LINES)])
    events = decide_order(None, create)
    assert isinstance(events, list)
    state = None
    for event in events:
        state = evolve_order(state, event, order_id="ORD-1")
    refused = decide_order(state, AddItem(order_id="ORD-1", **widest_line(MAX_LINES).model_dump()))
    assert getattr(refused, "code", None) == "too_many_items"
    more_of_a_line = decide_order(state, AddItem(order_id="ORD-1", **widest_line(7).model_dump(exclude={"quantity"}),
                                                  quantity=1))
    assert isinstance(more_of_a_line, list)  # a product already in the order still merges into its line


class CountingStores(MemoryStores):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.read_bytes = 0

    def read(self, store: str, partition: int, key: str) -> bytes | None:
        value = super().read(store, partition, key)
        self.reads += 1
        self.read_bytes += len(value or b"")
        return value


def stock_with_open_orders(orders: int) -> CountingStores:
    """A SKU that received a little and has ``orders`` open reservations (most of them backordered)."""
    stores = CountingStores()
    deciders = Deciders([INVENTORY_AGGREGATE], stores.read)
    commands = [consumed(ReceiveStock(sku="SKU-HOT", quantity=orders // 50), "SKU-HOT", INVENTORY_COMMANDS)]
    commands += [consumed(ReserveStock(sku="SKU-HOT", order_id=f"ORD-{n}", order_version=4, quantity=1), "SKU-HOT",
                          INVENTORY_COMMANDS) for n in range(orders)]
    for start in range(0, len(commands), 2000):
        decide_settled(deciders, commands[start:start + 2000], AT, stores)
    return stores


def one_command_on(stores: CountingStores, payload: Payload) -> tuple[int, int, int, int, Decisions]:
    """Keys and bytes read and written to decide ``payload`` with nothing kept parsed (a worker just started)."""
    stores.reads = stores.read_bytes = 0
    decided = Deciders([INVENTORY_AGGREGATE], stores.read).decide(
        [consumed(payload, "SKU-HOT", INVENTORY_COMMANDS)], AT)
    written = [len(value or b"") for _, _, _, value in decided.writes]
    written += [len(record.value) for record in decided.records]
    return stores.reads, stores.read_bytes, len(written), sum(written), decided


def commands_on(orders: int) -> list[Payload]:
    """A new order's reservation (backordered), and the release of an order in the middle of the backorders."""
    return [ReserveStock(sku="SKU-HOT", order_id="ORD-NEW", order_version=4, quantity=1),
            ReleaseStock(sku="SKU-HOT", order_id=f"ORD-{orders * 3 // 4}", order_version=5)]


def test_a_sku_with_20000_open_reservations_costs_no_more_than_a_fresh_one() -> None:
    hot, fresh = stock_with_open_orders(20_000), stock_with_open_orders(100)
    for on_hot_sku, on_fresh_sku in zip(commands_on(20_000), commands_on(100), strict=True):
        *on_hot, decided = one_command_on(hot, on_hot_sku)
        *on_fresh, _ = one_command_on(fresh, on_fresh_sku)
        payload = on_hot_sku
        assert all(h <= 2 * f for h, f in zip(on_hot, on_fresh, strict=True)), (type(payload).__name__, on_hot, on_fresh)
        assert max(len(value or b"") for _, _, _, value in decided.writes) < 10_000
    assert max(len(value) for value in hot.data.values()) < 10_000
