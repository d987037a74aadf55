"""The transactional producer of one loop: a batch's records and store changelogs, committed with the consumed
offsets, or not at all.

Two of librdkafka's open bugs shape this (confluentinc/librdkafka#5456: ``send_offsets_to_transaction`` ignores
its timeout; #5511: it can wait forever for a group coordinator whose broker went away and came back). So after
Kafka was unreachable the producer is replaced before the next transaction, and every blocking call runs under a
deadline of our own: a call past it leaves its producer behind (the next one, with the same ``transactional.id``,
fences it) and the batch counts as *uncertain* — committed or not, the loop must look it up before going on.
"""

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from confluent_kafka import KafkaError, KafkaException, Message, Producer, TopicPartition

from common.kafka import position_of
from streams.engine.batches import Batch
from streams.engine.health import LoopHealth
from streams.engine.kafka import KafkaOptions

log = logging.getLogger(__name__)

KAFKA = "kafka"
RETRY_S = 5.0
# A transaction call that takes this long makes the loop unhealthy until a batch commits again.
SLOW_ANSWER_S = 3.0
T = TypeVar("T")


class TransactionFailed(Exception):
    """The batch is not committed (``uncertain``: it may be; only the broker knows)."""

    def __init__(self, reason: str, uncertain: bool = False) -> None:
        super().__init__(reason)
        self.uncertain = uncertain


class _Hung(Exception):
    pass


class Transactions:
    def __init__(self, options: KafkaOptions, transactional_id: str, health: LoopHealth, stopping: threading.Event,
                 timeout_s: float, on_error: Callable[[KafkaError], None]) -> None:
        self._options = options
        self._transactional_id = transactional_id
        self._health = health
        self._stopping = stopping
        self._timeout_s = timeout_s
        self._on_error = on_error
        self._producer: Producer | None = None
        self._suspect = False
        self._delivered: dict[tuple[str, int], int] = {}

    def start(self) -> None:
        self._producer = self._new_producer()

    def renew(self) -> None:
        """A producer in place of one left behind: its ``init_transactions`` aborts the transaction the old one left
        open, which would otherwise hold the changelogs' committed end (and a restore that reads to it) back."""
        if self._producer is None:
            self._producer = self._new_producer()

    def suspect(self) -> None:
        """Kafka was unreachable: the producer may hold state from before (see the module's docstring)."""
        self._suspect = True

    def commit(self, batch: Batch, offsets: list[TopicPartition], group_metadata: object) -> dict[tuple[str, int], int]:
        """Produce the batch and commit it with ``offsets``; returns the next changelog offset of each changelog
        partition written."""
        if self._suspect or self._producer is None:
            self._suspect = False
            self._producer = self._new_producer()
        producer = self._producer
        self._delivered = {}
        try:
            producer.begin_transaction()
            for record in batch.records:
                self._produce(producer, record.topic, record.key, record.value, record.partition, None)
            for (spec, partition), entries in batch.writes.items():
                for key, value in entries.items():
                    self._produce(producer, spec.changelog, spec.changelog_key(key), value, partition, self._track)
            self._bounded(lambda: producer.send_offsets_to_transaction(offsets, group_metadata, self._timeout_s))
            self._bounded(lambda: self._commit_transaction(producer))
        except KafkaException as error:
            raise self._failed(producer, error.args[0]) from error
        except _Hung as hung:
            self._producer = None  # left behind; the next one fences it
            raise TransactionFailed(f"Kafka did not answer {hung}", uncertain=True) from hung
        missing = {(spec.changelog, partition) for spec, partition in batch.writes} - set(self._delivered)
        if missing:
            raise TransactionFailed(f"no delivery report for {sorted(missing)}", uncertain=True)
        return {place: offset + 1 for place, offset in self._delivered.items()}

    def _commit_transaction(self, producer: Producer) -> None:
        """A retriable failure is retried: a commit that went through answers as such when asked again."""
        while True:
            try:
                producer.commit_transaction(self._timeout_s)
                return
            except KafkaException as error:
                if not error.args[0].retriable() or self._stopping.is_set():
                    raise

    def _bounded(self, call: Callable[[], T]) -> T:
        """``call`` on a thread of its own, given up after the commit timeout and a grace period."""
        done = threading.Event()
        outcome: list[T | BaseException] = []

        def run() -> None:
            try:
                outcome.append(call())
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                outcome.append(error)
            finally:
                done.set()

        threading.Thread(target=run, name="kafka-transaction-call", daemon=True).start()
        if not done.wait(SLOW_ANSWER_S):
            # Kafka's own error reports reach the loop only between its calls: say it here, while the call waits.
            self._health.problem(KAFKA, f"Kafka has not answered a transaction call for {SLOW_ANSWER_S:.0f} s")
            if not done.wait(self._timeout_s + RETRY_S - SLOW_ANSWER_S):
                raise _Hung(f"within {self._timeout_s + RETRY_S:.0f} s")
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def _failed(self, producer: Producer, error: KafkaError) -> TransactionFailed:
        """Abort what can be aborted; a fatal error needs a new producer (which fences the old one)."""
        uncertain = not error.txn_requires_abort()
        if error.fatal():
            self._producer = None
        else:
            try:
                self._bounded(lambda: producer.abort_transaction(self._timeout_s))
            except (KafkaException, _Hung) as abort_error:
                log.warning("transaction of %s: abort failed (%s); a new producer takes over", self._transactional_id,
                            abort_error)
                self._producer = None
        return TransactionFailed(f"Kafka refused the batch: {error.str()}", uncertain=uncertain)

    def _new_producer(self) -> Producer:
        """``init_transactions`` fences any earlier producer with this id and aborts what it left open."""
        while True:
            producer = Producer(self._options.producer(self._transactional_id, self._on_error))
            try:
                self._bounded(lambda: producer.init_transactions(self._timeout_s))  # noqa: B023 - called within this iteration
                return producer
            except (KafkaException, _Hung) as error:
                self._health.problem(KAFKA, f"cannot start transactions: {error}")
                log.warning("transactions of %s cannot start (%s); retrying", self._transactional_id, error)
                if self._stopping.wait(RETRY_S):
                    raise TransactionFailed("stopping") from error

    def _produce(self, producer: Producer, topic: str, key: bytes | None, value: bytes | None,
                 partition: int | None, on_delivery: Callable[[KafkaError | None, Message], None] | None) -> None:
        # -1, the client's default, leaves the partition to the partitioner (the key's partition).
        partition_or_default = -1 if partition is None else partition
        while True:
            try:
                producer.produce(topic, value, key, partition_or_default, on_delivery=on_delivery)
                return
            except BufferError:  # the local queue is full: Kafka is slow or away
                if self._stopping.is_set():
                    raise TransactionFailed("stopping while the producer's queue was full") from None
                producer.poll(0.05)

    def _track(self, error: KafkaError | None, message: Message) -> None:
        if error is None:
            topic, partition, offset = position_of(message)
            place = (topic, partition)
            self._delivered[place] = max(self._delivered.get(place, -1), offset)
