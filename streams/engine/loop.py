"""A consume-process-produce loop with Kafka transactions: each batch's records, store changelogs and consumed
offsets commit together or not at all.

One loop runs in its own thread with its own consumer (a member of the worker's group, ``read_committed``) and its
own transactional producer (a stable ``transactional.id``, so a restarted worker fences and aborts what its
predecessor left open). A batch is handled whole before the next ``consume``: on revocation nothing is in flight,
except while a handler waits (Elasticsearch away), and that wait serves the consumer so a rebalance abandons the
batch instead of waiting for it.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from streams.engine.batches import Batch, BatchAbandoned
from streams.engine.health import LoopHealth
from streams.engine.kafka import KafkaOptions
from streams.engine.state import LoopStores

log = logging.getLogger(__name__)

KAFKA = "kafka"
PROBE_EVERY_S = 2.0
RETRY_BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 5.0)
# Errors librdkafka reports through ``error_cb`` that mean the cluster cannot be reached.
UNREACHABLE = {KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT, KafkaError._RESOLVE, KafkaError._TIMED_OUT}

Wait = Callable[[float], None]


class BatchHandler(Protocol):
    """What a loop runs: the handler turns consumed records into a ``Batch`` and keeps its own caches in step.
    Its stores stay open over a revocation (the same partitions usually come back at once) and are brought up
    to date on every assignment."""

    name: str
    topics: tuple[str, ...]
    stores: LoopStores

    def process(self, messages: list[Message], wait: Wait) -> Batch: ...

    def committed(self) -> None: ...

    def discarded(self) -> None: ...

    def forget(self, partitions: set[int]) -> None: ...


class TransactionFailed(Exception):
    pass


class TransactionalLoop:
    def __init__(self, handler: BatchHandler, options: KafkaOptions, transactional_id: str, health: LoopHealth,
                 max_records: int, idle_wait_s: float = 0.1, commit_timeout_s: float = 30.0) -> None:
        self._handler = handler
        self._options = options
        self._transactional_id = transactional_id
        self.health = health
        self._max_records = max_records
        self._idle_wait_s = idle_wait_s
        self._commit_timeout_s = commit_timeout_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: Consumer | None = None
        self._producer: Producer | None = None
        self._in_batch = False
        self._batch_revoked = False
        self._paused = False
        self._delivered: dict[tuple[str, int], int] = {}
        self._last_probe = 0.0

    # Life

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"loop-{self._handler.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def stores(self) -> LoopStores:
        return self._handler.stores

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._producer = self._new_producer()
            consumer = Consumer(self._options.consumer(self._on_kafka_error))
            self._consumer = consumer
            consumer.subscribe(list(self._handler.topics), on_assign=self._on_assign, on_revoke=self._on_revoke,
                               on_lost=self._on_revoke)
            self.health.state = "running"
            while not self._stopping.is_set():
                messages = self._next_messages(consumer)
                if messages:
                    self._handle(messages)
                else:
                    self._probe_kafka(consumer)
        except Exception:  # noqa: BLE001 - the loop is dead: say so on /health, the worker's supervisor restarts it
            log.exception("loop %s stopped on an error", self._handler.name)
            self.health.problem("loop", "stopped on an error, see the worker log")
        finally:
            self.health.state = "stopped"
            self._shutdown()

    def _new_producer(self) -> Producer:
        """``init_transactions`` fences any earlier producer with this id and aborts what it left open."""
        while True:
            producer = Producer(self._options.producer(self._transactional_id, self._on_kafka_error))
            try:
                producer.init_transactions(self._commit_timeout_s)
                return producer
            except KafkaException as error:
                self.health.problem(KAFKA, f"cannot start transactions: {error.args[0]}")
                log.warning("loop %s: init_transactions failed (%s); retrying", self._handler.name, error.args[0])
                if self._stopping.wait(RETRY_BACKOFF_S[-1]):
                    raise

    def _shutdown(self) -> None:
        if self._consumer is not None:
            try:
                self._consumer.close()
            except Exception:  # noqa: BLE001 - closing on the way out; the broker times the member out otherwise
                log.warning("loop %s: closing the consumer failed", self._handler.name, exc_info=True)
        self._handler.stores.close()

    # Consuming

    def _next_messages(self, consumer: Consumer) -> list[Message]:
        """What is queued, up to the batch size; when nothing is, wait for the first record and take it with what
        arrived with it."""
        messages = consumer.consume(self._max_records, timeout=0)
        if not messages:
            first = consumer.poll(self._idle_wait_s)
            if first is None:
                return []
            messages = [first, *consumer.consume(self._max_records - 1, timeout=0)]
        records = []
        for message in messages:
            error = message.error()
            if error is None:
                records.append(message)
            else:
                log.warning("loop %s: consumer error %s", self._handler.name, error)
        return records

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        numbers = {partition.partition for partition in partitions}
        self.health.state = "restoring"
        self._handler.stores.assign(numbers)
        self.health.partitions = tuple(sorted(self._handler.stores.partitions))
        consumer.assign(partitions)
        if self._paused:
            consumer.pause(partitions)
        self.health.state = "running"
        log.info("loop %s: assigned partitions %s", self._handler.name, sorted(numbers))

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        numbers = {partition.partition for partition in partitions}
        if self._in_batch:
            self._batch_revoked = True
        self._handler.forget(numbers)
        self.health.partitions = ()
        log.info("loop %s: revoked partitions %s", self._handler.name, sorted(numbers))

    def _wait(self, seconds: float) -> None:
        """Handed to the handler for its waits: keeps the group membership alive (the batch's partitions paused),
        and abandons the batch when they are revoked or the worker stops."""
        consumer = self._consumer
        assert consumer is not None
        if not self._paused:
            consumer.pause(consumer.assignment())
            self._paused = True
        deadline = time.monotonic() + seconds
        while True:
            if self._stopping.is_set() or self._batch_revoked:
                raise BatchAbandoned("stopping" if self._stopping.is_set() else "partitions revoked")
            left = deadline - time.monotonic()
            if left <= 0:
                return
            stray = consumer.consume(self._max_records, timeout=min(left, 0.2))
            if stray:  # assigned while paused before the pause reached them: read them again later
                self._rewind(stray)

    # Handling a batch

    def _handle(self, messages: list[Message]) -> None:
        self._in_batch, self._batch_revoked = True, False
        started = time.perf_counter()
        try:
            batch = self._handler.process(messages, self._wait)
            if self._batch_revoked:
                raise BatchAbandoned("partitions revoked")
            processed = time.perf_counter()
            checkpoints = self._commit(batch, messages)
        except BatchAbandoned as abandoned:
            log.info("loop %s: batch of %d records abandoned (%s)", self._handler.name, len(messages), abandoned)
            self._handler.discarded()
            self._rewind(messages)
            return
        except TransactionFailed as failure:
            self._handler.discarded()
            self._rewind(messages)
            self.health.problem(KAFKA, str(failure))
            log.warning("loop %s: batch not committed (%s); it will be read again", self._handler.name, failure)
            self._stopping.wait(RETRY_BACKOFF_S[1])
            return
        finally:
            self._in_batch = False
            self._resume()
        committed = time.perf_counter()
        self._handler.stores.apply(batch.writes, checkpoints)
        self._handler.committed()
        self.health.resolved(KAFKA)
        self.health.counted(len(messages), batch.size)
        self.health.spent("process", processed - started)
        self.health.spent("commit", committed - processed)
        self.health.spent("apply", time.perf_counter() - committed)

    def _resume(self) -> None:
        if self._paused and self._consumer is not None:
            self._consumer.resume(self._consumer.assignment())
            self._paused = False

    def _rewind(self, messages: list[Message]) -> None:
        """Read these records again: back to the first of each partition that is still assigned."""
        consumer = self._consumer
        if consumer is None:
            return
        assigned = {(tp.topic, tp.partition) for tp in consumer.assignment()}
        first: dict[tuple[str, int], int] = {}
        for message in messages:
            place = (message.topic(), message.partition())
            first[place] = min(first.get(place, message.offset()), message.offset())
        for (topic, partition), offset in first.items():
            if (topic, partition) in assigned:
                try:
                    consumer.seek(TopicPartition(topic, partition, offset))
                except KafkaException as error:
                    log.warning("loop %s: cannot seek %s/%d back to %d: %s", self._handler.name, topic, partition,
                                offset, error)

    def _commit(self, batch: Batch, messages: list[Message]) -> dict[tuple[str, int], int]:
        """Produce the batch and commit it with the consumed offsets; returns the next changelog offset of each
        changelog partition written."""
        producer = self._producer
        consumer = self._consumer
        assert producer is not None and consumer is not None
        self._delivered = {}
        try:
            producer.begin_transaction()
            for record in batch.records:
                self._produce(producer, record.topic, record.key, record.value, record.partition, None)
            for (spec, partition), entries in batch.writes.items():
                for key, value in entries.items():
                    self._produce(producer, spec.changelog, spec.changelog_key(key), value, partition, self._track)
            producer.send_offsets_to_transaction(_next_offsets(consumer, messages),
                                                 consumer.consumer_group_metadata(), self._commit_timeout_s)
            self._commit_transaction(producer)
        except KafkaException as error:
            raise self._failed(producer, error.args[0]) from error
        missing = {(spec.changelog, partition) for spec, partition in batch.writes} - set(self._delivered)
        if missing:
            raise TransactionFailed(f"no delivery report for {sorted(missing)}")
        return {place: offset + 1 for place, offset in self._delivered.items()}

    def _commit_transaction(self, producer: Producer) -> None:
        deadline = time.monotonic() + self._commit_timeout_s
        while True:
            try:
                producer.commit_transaction(max(deadline - time.monotonic(), 0.1))
                return
            except KafkaException as error:
                if not error.args[0].retriable() or time.monotonic() > deadline:
                    raise

    def _failed(self, producer: Producer, error: KafkaError) -> TransactionFailed:
        """Abort what can be aborted; a fatal error needs a new producer (which fences the old one)."""
        if error.fatal():
            self._producer = self._new_producer()
        else:
            try:
                producer.abort_transaction(self._commit_timeout_s)
            except KafkaException as abort_error:
                log.warning("loop %s: abort failed (%s); starting a new producer", self._handler.name,
                            abort_error.args[0])
                self._producer = self._new_producer()
        return TransactionFailed(f"Kafka refused the batch: {error.str()}")

    def _produce(self, producer: Producer, topic: str, key: bytes | None, value: bytes | None, partition: int | None,
                 on_delivery: Callable[[KafkaError | None, Message], None] | None) -> None:
        options = {"partition": partition} if partition is not None else {}
        if on_delivery is not None:
            options["on_delivery"] = on_delivery
        while True:
            try:
                producer.produce(topic, value, key, **options)
                return
            except BufferError:
                producer.poll(0.05)

    def _track(self, error: KafkaError | None, message: Message) -> None:
        if error is None:
            place = (message.topic(), message.partition())
            self._delivered[place] = max(self._delivered.get(place, -1), message.offset())

    # Health

    def _on_kafka_error(self, error: KafkaError) -> None:
        if error.code() in UNREACHABLE or error.fatal():
            self.health.problem(KAFKA, f"Kafka unreachable: {error.str()}")
        log.warning("loop %s: Kafka reports %s", self._handler.name, error.str())

    def _probe_kafka(self, consumer: Consumer) -> None:
        """While idle and troubled, ask the cluster for metadata now and then: an answer means it is back."""
        if not self.health.has_problem(KAFKA) or time.monotonic() - self._last_probe < PROBE_EVERY_S:
            return
        self._last_probe = time.monotonic()
        try:
            consumer.list_topics(timeout=1.0)
        except KafkaException:
            return
        self.health.resolved(KAFKA)


def _next_offsets(consumer: Consumer, messages: list[Message]) -> list[TopicPartition]:
    """Where each partition of the batch goes on: the consumer's position, which is past the transaction marker
    that follows a batch's last record (committing only ``last offset + 1`` would leave a lag of one forever)."""
    last: dict[tuple[str, int], int] = {}
    for message in messages:
        place = (message.topic(), message.partition())
        last[place] = max(last.get(place, -1), message.offset())
    positions = consumer.position([TopicPartition(topic, partition) for topic, partition in last])
    return [TopicPartition(position.topic, position.partition,
                           max(position.offset, last[(position.topic, position.partition)] + 1))
            for position in positions]
