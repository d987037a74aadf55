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

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, TopicPartition

from common.kafka import position_of
from streams.engine.batches import Batch, BatchAbandoned, BatchHandler
from streams.engine.health import LoopHealth
from streams.engine.kafka import KafkaOptions
from streams.engine.state import LoopStores
from streams.engine.transactions import KAFKA, TransactionFailed, Transactions

log = logging.getLogger(__name__)

PROBE_EVERY_S = 2.0
# How often the same complaint of the Kafka client is logged again.
REPEAT_LOG_S = 30.0
RETRY_BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 5.0)
# Errors librdkafka reports through ``error_cb`` that mean the cluster cannot be reached.
UNREACHABLE = {KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT, KafkaError._RESOLVE, KafkaError._TIMED_OUT}

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
        self._transactions = Transactions(options, transactional_id, health, self._stopping, commit_timeout_s,
                                          self._on_kafka_error)
        self._in_batch = False
        self._batch_revoked = False
        self._paused = False
        self._unsynced = False
        self._last_probe = 0.0
        self._logged: dict[str, float] = {}

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
    def topics(self) -> tuple[str, ...]:
        return self._handler.topics

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._transactions.start()
            consumer = Consumer(self._options.consumer(self._on_kafka_error))
            self._consumer = consumer
            consumer.subscribe(list(self._handler.topics), on_assign=self._on_assign, on_revoke=self._on_revoke,
                               on_lost=self._on_revoke)
            self.health.state = "running"
            while not self._stopping.is_set():
                if self._unsynced and not self._resync(consumer):
                    continue
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
            self._unsynced = True
            self.health.problem(KAFKA, str(failure))
            log.warning("loop %s: batch of %d records not committed%s (%s); going on from the committed offsets",
                        self._handler.name, len(messages), " for certain" if not failure.uncertain else "", failure)
            self._stopping.wait(RETRY_BACKOFF_S[1])
            return
        finally:
            self._in_batch = False
            self._resume()
        committed = time.perf_counter()
        self._handler.stores.apply(batch.writes, checkpoints)
        self._handler.committed()
        self.health.resolved(KAFKA)
        self.health.counted(len(messages), len(batch.records), batch.size - len(batch.records))
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
            if message.error() is not None:  # an error event among the strays: no record to read again
                continue
            topic, partition, offset = position_of(message)
            place = (topic, partition)
            first[place] = min(first.get(place, offset), offset)
        for (topic, partition), offset in first.items():
            if (topic, partition) in assigned:
                try:
                    consumer.seek(TopicPartition(topic, partition, offset))
                except KafkaException as error:
                    log.warning("loop %s: cannot seek %s/%d back to %d: %s", self._handler.name, topic, partition,
                                offset, error)

    def _commit(self, batch: Batch, messages: list[Message]) -> dict[tuple[str, int], int]:
        consumer = self._consumer
        assert consumer is not None
        return self._transactions.commit(batch, _next_offsets(consumer, messages), consumer.consumer_group_metadata())

    def _resync(self, consumer: Consumer) -> bool:
        """After a batch that may or may not have committed: go on from what the broker says is committed, with
        the stores brought up to their changelogs and nothing parsed kept. ``False``: Kafka cannot say yet."""
        assignment = consumer.assignment()
        try:
            committed = consumer.committed(assignment, timeout=10) if assignment else []
            partitions = self._handler.stores.partitions
            self._handler.forget(partitions)
            self._handler.stores.assign(partitions)
        except (KafkaException, RuntimeError) as error:
            self.health.problem(KAFKA, f"cannot read the committed offsets: {error}")
            self._stopping.wait(RETRY_BACKOFF_S[2])
            return False
        for position in committed:
            # No offset committed yet: nothing of the partition was ever committed, so it starts from the beginning.
            consumer.seek(position if position.offset >= 0 else
                          TopicPartition(position.topic, position.partition, OFFSET_BEGINNING))
        self._unsynced = False
        return True

    # Health

    def _on_kafka_error(self, error: KafkaError) -> None:
        if error.code() in UNREACHABLE or error.fatal():
            self.health.problem(KAFKA, f"Kafka unreachable: {error.str()}")
            self._transactions.suspect()
        now = time.monotonic()
        if now - self._logged.get(error.str(), -REPEAT_LOG_S) >= REPEAT_LOG_S:
            self._logged[error.str()] = now
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
        topic, partition, offset = position_of(message)
        place = (topic, partition)
        last[place] = max(last.get(place, -1), offset)
    positions = consumer.position([TopicPartition(topic, partition) for topic, partition in last])
    return [TopicPartition(position.topic, position.partition,
                           max(position.offset, last[(position.topic, position.partition)] + 1))
            for position in positions]
