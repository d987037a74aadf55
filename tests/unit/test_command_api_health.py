"""The command API's health: the producer's view of Kafka, the outcome follower retrying what it could not save
instead of dying, and /health naming what cannot work."""

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from confluent_kafka import KafkaError, TopicPartition
from starlette.testclient import TestClient

from common.stall import StallWatch
from ops.settings import Settings
from producers import outcomes
from producers.app import create_app
from producers.outcomes import OutcomeWatcher
from producers.publisher import KafkaPublisher
from schemas.outcomes import CommandOutcome, OutcomeStatus, RawOutcome
from schemas.topics import COMMAND_OUTCOMES
from tests.support import eventually


def _statistics(*states: str) -> str:
    brokers = {f"127.0.0.1:9092/{n}": {"state": state, "source": "learned"} for n, state in enumerate(states)}
    brokers[":0/internal"] = {"state": "UP", "source": "internal"}
    return json.dumps({"brokers": brokers})


def test_the_publisher_reports_kafka_away_until_a_broker_is_up_again() -> None:
    publisher = KafkaPublisher({"delivery.timeout.ms": 5000})
    assert publisher.problem is not None  # not connected yet
    publisher._on_statistics(_statistics("UP"))
    assert publisher.problem is None
    publisher._on_error(KafkaError(KafkaError._ALL_BROKERS_DOWN, "1/1 brokers are down"))
    assert publisher.problem is not None and "1/1 brokers are down" in publisher.problem
    publisher._on_statistics(_statistics("DOWN", "CONNECT"))  # the internal broker does not count
    assert publisher.problem is not None
    publisher._on_statistics(_statistics("DOWN", "UP"))
    assert publisher.problem is None


def test_a_fatal_producer_error_stays_reported() -> None:
    publisher = KafkaPublisher({})
    publisher._on_error(KafkaError(KafkaError._FENCED, "fenced", fatal=True))
    publisher._on_statistics(_statistics("UP"))
    assert publisher.problem is not None and "restart" in publisher.problem


@dataclass
class _Message:
    outcome: CommandOutcome
    position: int

    def value(self) -> bytes:
        return self.outcome.model_dump_json().encode()

    def topic(self) -> str:
        return COMMAND_OUTCOMES

    def partition(self) -> int:
        return 0

    def offset(self) -> int:
        return self.position

    def error(self) -> None:
        return None


@dataclass
class _Consumer:
    batches: list[list[_Message]]
    closed: bool = False

    def consume(self, count: int, timeout: float) -> list[_Message]:
        return self.batches.pop(0) if self.batches else []

    def close(self) -> None:
        self.closed = True


@dataclass
class _FailingStore:
    """Refuses the first ``failures`` saves, as a full or broken disk would."""

    failures: int
    saved: list[tuple[list[uuid.UUID], dict[tuple[str, int], int]]] = field(default_factory=list)
    attempts: int = 0

    def save_outcomes(self, outcomes: list[RawOutcome], offsets: dict[tuple[str, int], int]) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise OSError("No space left on device")
        self.saved.append(([outcome.command_id for outcome in outcomes], offsets))

    def next_offset(self, topic: str, partition: int) -> int | None:
        return None

    def outcome(self, command_id: uuid.UUID) -> CommandOutcome | None:
        return None


def _outcome() -> CommandOutcome:
    return CommandOutcome(command_id=uuid.uuid4(), command_type="SubmitOrder", aggregate_id="ORD-1",
                          status=OutcomeStatus.ACCEPTED, version=2, decided_at=datetime(2026, 3, 1, tzinfo=UTC))


def test_outcomes_that_cannot_be_saved_are_retried_and_reported_meanwhile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outcomes, "FIRST_RETRY_S", 0.05)
    first, second = _outcome(), _outcome()
    consumer = _Consumer([[_Message(first, 7)], [_Message(second, 8)]])
    store = _FailingStore(failures=3)
    watcher = OutcomeWatcher({"bootstrap.servers": "unused:9092"}, store)
    problems: list[str | None] = []
    thread = threading.Thread(target=watcher._consume, args=(consumer,), daemon=True)
    thread.start()
    try:
        eventually(lambda: problems.append(watcher.problem) or watcher.problem, timeout_s=5, interval_s=0.01)
        eventually(lambda: len(store.saved) == 2, timeout_s=10, interval_s=0.01)
        assert watcher.problem is None
    finally:
        watcher.stop()
        thread.join(timeout=5)
    assert "No space left on device" in str([p for p in problems if p][0])
    assert store.saved == [([first.command_id], {(COMMAND_OUTCOMES, 0): 8}), ([second.command_id], {(COMMAND_OUTCOMES, 0): 9})]
    assert consumer.closed and not thread.is_alive()


def _health(parts: dict[str, Any]) -> Any:
    app = create_app(Settings())
    app.state.health = parts
    return TestClient(app).get("/health")


def test_health_is_ok_when_every_part_works() -> None:
    response = _health({"kafka": SimpleNamespace(problem=None), "outcomes": SimpleNamespace(problem=None)})
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_health_is_503_naming_each_part_that_cannot_work() -> None:
    response = _health({"kafka": SimpleNamespace(problem="no Kafka broker can be reached"),
                        "outcomes": SimpleNamespace(problem=None), "store": SimpleNamespace(problem="disk full")})
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable",
                               "problems": {"kafka": "no Kafka broker can be reached", "store": "disk full"}}


def test_after_every_broker_was_down_the_outcomes_are_read_by_a_new_consumer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A consumer of assigned partitions may fetch nothing more after a broker restart (librdkafka issue 5153)."""
    before, after = _outcome(), _outcome()
    stalled, fresh = _Consumer([[_Message(before, 7)]]), _Consumer([[_Message(after, 8)]])
    store = _FailingStore(failures=0)
    watcher = OutcomeWatcher({"bootstrap.servers": "unused:9092"}, store)
    monkeypatch.setattr(watcher, "_connect", lambda: fresh)
    thread = threading.Thread(target=watcher._consume, args=(stalled,), daemon=True)
    thread.start()
    try:
        eventually(lambda: len(store.saved) == 1, timeout_s=5, interval_s=0.01)
        watcher._on_error(KafkaError(KafkaError._ALL_BROKERS_DOWN))
        eventually(lambda: len(store.saved) == 2, timeout_s=5, interval_s=0.01)
    finally:
        watcher.stop()
        thread.join(timeout=5)
    assert stalled.closed and fresh.closed
    assert [ids for ids, _ in store.saved] == [[before.command_id], [after.command_id]]


@dataclass
class _StalledConsumer(_Consumer):
    """Assigned one partition that has outcomes up to offset 9, and reads none of them."""

    def assignment(self) -> list[TopicPartition]:
        return [TopicPartition(COMMAND_OUTCOMES, 0)]

    def position(self, partitions: list[TopicPartition]) -> list[TopicPartition]:
        return [TopicPartition(COMMAND_OUTCOMES, 0, -1001)]

    def committed(self, partitions: list[TopicPartition], timeout: float) -> list[TopicPartition]:
        return [TopicPartition(COMMAND_OUTCOMES, 0, -1001)]

    def get_watermark_offsets(self, partition: TopicPartition, timeout: float, cached: bool) -> tuple[int, int]:
        return 0, 9


def test_after_a_lesser_outage_a_consumer_that_reads_nothing_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """One broker of several away: no "all brokers down", yet the consumer may stall all the same."""
    outcome = _outcome()
    stalled, fresh = _StalledConsumer([]), _Consumer([[_Message(outcome, 0)]])
    store = _FailingStore(failures=0)
    watcher = OutcomeWatcher({"bootstrap.servers": "unused:9092"}, store)
    monkeypatch.setattr(watcher, "_stall", StallWatch(stands_at=watcher._saved_offsets, check_every_s=0.01))
    monkeypatch.setattr(watcher, "_connect", lambda: fresh)
    thread = threading.Thread(target=watcher._consume, args=(stalled,), daemon=True)
    thread.start()
    try:
        time.sleep(0.3)
        assert not stalled.closed, "not watched before Kafka was reported away"
        watcher._on_error(KafkaError(KafkaError._TRANSPORT, "127.0.0.1:9093/2: Disconnected"))
        eventually(lambda: len(store.saved) == 1, timeout_s=5, interval_s=0.01)
    finally:
        watcher.stop()
        thread.join(timeout=5)
    assert stalled.closed and fresh.closed
    assert watcher.problem is None
