"""Follows ``commands.outcomes`` into the command store, and wakes requests waiting for a decision."""

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Message, TopicPartition

from common.kafka import position_of
from common.stall import UNREACHABLE, Offsets, StallWatch
from producers.ports import OutcomeStore
from producers.waiting import OutcomeWaiters
from schemas.outcomes import RawOutcome
from schemas.topics import COMMAND_OUTCOMES

log = logging.getLogger(__name__)

POLL_BATCH = 1000
FIRST_RETRY_S = 0.5
LONGEST_RETRY_S = 30.0


class OutcomeWatcher(OutcomeWaiters):
    """The ``OutcomeFeed`` of ``commands.outcomes``. Reads every outcome, resuming where the store left off (no
    consumer group: each API process reads all).

    The worker writes outcomes in transactions, so only committed ones are read. A batch that cannot be
    saved (a disk error, say) is retried with a growing pause, never skipped; until it is saved ``problem``
    says why, and the API's health check reports it.

    Once the client reported every broker down, the consumer is replaced by a new one that resumes where the store
    left off: a consumer of assigned partitions sometimes fetches nothing more after the broker restarts
    (librdkafka issue 5153), and every request waiting for a decision then ran out. After a lesser outage (one
    broker of several) it is replaced when it stalls: outcomes wait past what the store saved, and it reads none
    (``common.stall``).
    """

    def __init__(self, kafka: Mapping[str, Any], store: OutcomeStore,
                 on_outcome: Callable[[RawOutcome], None] = lambda outcome: None) -> None:
        self._config: dict[str, Any] = {
            **kafka, "group.id": f"orderflow-outcomes-{uuid.uuid4()}",
            "enable.auto.commit": False, "fetch.wait.max.ms": 10, "isolation.level": "read_committed",
            "log_level": 3,
        }
        super().__init__(store)
        self._on_outcome = on_outcome
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Why the consumer must be replaced (``None``: it need not).
        self._reconnect: str | None = None
        self._stall = StallWatch(stands_at=self._saved_offsets)
        self.problem: str | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._thread = threading.Thread(target=self._consume, args=(self._connect(),), name="outcome-watcher",
                                        daemon=True)
        self._thread.start()

    def _connect(self) -> Consumer:
        """A consumer of every partition, from where the store left off."""
        consumer = Consumer({**self._config, "error_cb": self._on_error})
        try:
            partitions = consumer.list_topics(COMMAND_OUTCOMES, timeout=10).topics[COMMAND_OUTCOMES].partitions
            consumer.assign([self._resume_point(partition) for partition in partitions])
        except BaseException:
            consumer.close()
            raise
        self._reconnect = None
        self._stall.reset()
        return consumer

    def _on_error(self, error: KafkaError) -> None:
        if error.code() == KafkaError._ALL_BROKERS_DOWN:
            self._reconnect = "every Kafka broker was down"
        if error.code() in UNREACHABLE:
            self._stall.arm()

    def _saved_offsets(self, consumer: Offsets, assignment: list[TopicPartition]) -> dict[tuple[str, int], int]:
        """Where the follower stands: the next offset of each partition its store saved (negative: none yet)."""
        saved = {(tp.topic, tp.partition): self._store.next_offset(tp.topic, tp.partition) for tp in assignment}
        return {place: -1 if offset is None else offset for place, offset in saved.items()}

    def _resume_point(self, partition: int) -> TopicPartition:
        stored = self._store.next_offset(COMMAND_OUTCOMES, partition)
        return TopicPartition(COMMAND_OUTCOMES, partition, OFFSET_BEGINNING if stored is None else stored)

    def _consume(self, consumer: Consumer | None) -> None:
        unsaved: list[Message] = []
        pause_s = FIRST_RETRY_S
        try:
            while not self._stopping.is_set():
                try:
                    if consumer is None or (self._reconnect and not unsaved):
                        if consumer is not None:
                            log.warning("%s: following %s with a new consumer", self._reconnect, COMMAND_OUTCOMES)
                            consumer.close()
                        consumer = None  # until a new one is connected: a failed attempt is retried below
                        consumer = self._connect()
                    unsaved = unsaved or [m for m in consumer.consume(POLL_BATCH, timeout=0.1) if not m.error()]
                    if unsaved:
                        self._absorb(unsaved)
                        unsaved = []
                    elif (stall := self._stall.stalled(consumer)) is not None:
                        self._reconnect = f"it read nothing more after Kafka was away ({stall})"
                    self.problem, pause_s = None, FIRST_RETRY_S
                except Exception as error:  # noqa: BLE001 - reported by the health check, and retried
                    self.problem = f"command outcomes are not being saved ({type(error).__name__}: {error}); retrying"
                    log.exception("saving command outcomes failed; retrying in %.1f s", pause_s)
                    self._stopping.wait(pause_s)
                    pause_s = min(pause_s * 2, LONGEST_RETRY_S)
        finally:
            if consumer is not None:
                consumer.close()

    def _absorb(self, messages: list[Message]) -> None:
        """Outcomes are saved as published: only an outcome someone waits for is parsed whole."""
        outcomes = [outcome for outcome in map(_outcome_of, messages) if outcome is not None]
        offsets = {(topic, partition): offset + 1 for topic, partition, offset in map(position_of, messages)}
        self._store.save_outcomes(outcomes, offsets)
        for outcome in outcomes:
            self._on_outcome(outcome)
        if outcomes and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.wake, outcomes)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _outcome_of(message: Message) -> RawOutcome | None:
    try:
        return RawOutcome.of_json(message.value() or b"")
    except ValueError:
        # Outcomes are written only by the decider; an unreadable one is a bug to look at, not a record to replay.
        log.error("unreadable outcome at %s/%s/%s", message.topic(), message.partition(), message.offset())
        return None
