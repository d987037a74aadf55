"""Records delivered twice change nothing: a command record produced again is decided once, and event records
delivered again (in order, and an old one after newer ones) move no read model, total or reservation."""

import httpx

from ops.settings import Settings
from schemas.topics import ORDERS_COMMANDS, ORDERS_EVENTS
from tests.faults.checks import assert_recovered, decisions, settles
from tests.faults.kafka import Position, committed, produce
from tests.faults.workload import Workload, run_under_fault
from tests.support import read_topic

ORDERS = 4


def decided_workload(system: Settings, commands: httpx.Client) -> Workload:
    """A workload put through and decided, before anything is delivered twice."""
    workload = Workload.new("DUP", ORDERS)
    workload.stock(commands)
    run_under_fault(system, workload)
    decisions(commands, workload.accepted)
    return workload


def produce_again(settings: Settings, topic: str, order_ids: set[str], last_first: bool = False) -> list[Position]:
    """Every record of ``order_ids`` on ``topic`` produced once more, under its key; with ``last_first`` the
    oldest record of each order is produced again once more after the others."""
    records = [record for record in read_topic(settings.kafka_bootstrap, topic, timeout_s=60)
               if (record.key() or b"").decode() in order_ids]
    again = [*records, *_first_of_each_key(records)] if last_first else records
    assert again, f"nothing of {sorted(order_ids)} on {topic}"
    return [produce(settings, topic, record.key(), record.value()) for record in again]


def _first_of_each_key(records: list) -> list:
    firsts: dict[bytes, object] = {}
    for record in records:
        firsts.setdefault(record.key(), record)
    return list(firsts.values())


def assert_consumed(settings: Settings, positions: list[Position]) -> None:
    """The worker committed past every one of ``positions``."""
    topic = positions[0].topic
    last = {p.partition: max(q.offset for q in positions if q.partition == p.partition) for p in positions}

    def behind() -> dict[int, int | None]:
        rows = {row.partition: row.committed_offset for row in committed(settings, [topic])}
        return {partition: rows[partition] for partition, offset in last.items()
                if rows[partition] is None or rows[partition] <= offset}

    settles(behind, {})


def test_command_records_produced_twice_are_decided_once(
    system: Settings, commands: httpx.Client, queries: httpx.Client,
) -> None:
    workload = decided_workload(system, commands)
    assert_consumed(system, produce_again(system, ORDERS_COMMANDS, workload.order_ids))
    assert_recovered(system, commands, queries, workload)


def test_event_records_delivered_twice_to_the_projectors_change_nothing(
    system: Settings, commands: httpx.Client, queries: httpx.Client,
) -> None:
    workload = decided_workload(system, commands)
    assert_consumed(system, produce_again(system, ORDERS_EVENTS, workload.order_ids, last_first=True))
    assert_recovered(system, commands, queries, workload, written_once=False)
