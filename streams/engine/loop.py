"""A consume-process-produce loop with Kafka transactions: each batch's records, store changelogs and consumed
offsets commit together or not at all.

One loop runs in its own thread with its own consumer (a member of the worker's group, ``read_committed``) and its
own transactional producer (a stable ``transactional.id``, so a restarted worker fences and aborts what its
predecessor left open). A batch is committed before the next one is consumed, except for a handler that
``overlaps``: then one batch may be in flight (its bulk request under way) while the next is consumed and folded,
and the two commit in order. A revocation abandons whatever is in flight; a wait of the handler's (Elasticsearch
away) serves the consumer, so a rebalance abandons the batch instead of waiting for it.

The loop does not die of an error: it drops what is in flight, takes a new consumer (which goes on from the
committed offsets) and a new producer, and starts over. It does so too when records it must read again cannot be
sought back to (its position would skip them) and when its consumer stops fetching (``common.stall``).
"""

import logging
import threading
import time

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition

from streams.engine.batches import Batch, BatchAbandoned, BatchHandler, InFlight
from streams.engine.consuming import close_quietly, gather, records_of
from streams.engine.health import LoopHealth
from streams.engine.kafka import KafkaOptions
from streams.engine.kafka_watch import KafkaWatch
from streams.engine.positions import next_offsets, rewind, seek_to_committed
from streams.engine.state import LoopStores
from streams.engine.transactions import KAFKA, TransactionFailed, Transactions

log = logging.getLogger(__name__)

RETRY_BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 5.0)
LOOP_PROBLEM = "loop"


class TransactionalLoop:
    def __init__(self, handler: BatchHandler, options: KafkaOptions, transactional_id: str, health: LoopHealth,
                 max_records: int, idle_wait_s: float = 0.1, commit_timeout_s: float = 30.0,
                 batch_interval_s: float = 0.0) -> None:
        self._handler = handler
        self._options = options
        self._transactional_id = transactional_id
        self.health = health
        self._max_records = max_records
        self._idle_wait_s = idle_wait_s
        self._batch_interval_s = batch_interval_s
        self._last_batch_at = 0.0
        self._revocations = 0
        self._commit_timeout_s = commit_timeout_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: Consumer | None = None
        self._kafka = KafkaWatch(handler.name, health, lambda: self._transactions.suspect())
        self._transactions = Transactions(options, transactional_id, health, self._stopping, commit_timeout_s,
                                          self._kafka.on_error)
        self._in_flight: InFlight | None = None
        self._in_batch = False
        self._batch_revoked = False
        self._paused = False
        self._unsynced = False
        # Why the consumer must be replaced before anything more is consumed or committed (``None``: it need not).
        self._start_over: str | None = None

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
            while not self._stopping.is_set():
                consumer: Consumer | None = None
                try:
                    consumer = self._subscribe()
                    self._serve(consumer)
                except Exception:  # noqa: BLE001 - whatever it was, the loop starts over instead of dying
                    log.exception("loop %s failed; it starts over from the committed offsets", self._handler.name)
                    self.health.problem(LOOP_PROBLEM, "failed and started over, see the worker log")
                    self._transactions.suspect()
                    self._stopping.wait(RETRY_BACKOFF_S[-1])
                finally:
                    if consumer is not None:
                        self._drop(consumer)
        except TransactionFailed:  # stopping while the first producer could not start
            pass
        finally:
            self.health.state = "stopped"
            self._handler.stores.close()

    def _subscribe(self) -> Consumer:
        consumer = Consumer(self._options.consumer(self._kafka.on_error))
        self._consumer = consumer
        consumer.subscribe(list(self._handler.topics), on_assign=self._on_assign, on_revoke=self._on_revoke,
                           on_lost=self._on_revoke)
        self.health.state = "running"
        return consumer

    def _serve(self, consumer: Consumer) -> None:
        """Consume and commit batches until the loop stops or must start over."""
        while not self._stopping.is_set() and self._start_over is None:
            if self._unsynced and not self._resync(consumer):
                continue
            messages = self._next_messages(consumer, 0.0 if self._in_flight else self._idle_wait_s)
            if self._start_over is not None:
                break
            if messages or self._in_flight is not None:
                self._step(messages)
            else:
                self._idle(consumer)
        if self._start_over is not None and not self._stopping.is_set():
            log.warning("loop %s takes a new consumer: %s", self._handler.name, self._start_over)

    def _idle(self, consumer: Consumer) -> None:
        if self.health.has_problem(LOOP_PROBLEM) and consumer.assignment():  # back in service, nothing to read
            self.health.resolved(LOOP_PROBLEM)
        if (stall := self._kafka.idle(consumer)) is not None:
            self._start_over = f"it fetched nothing more after Kafka was away ({stall})"

    def _drop(self, consumer: Consumer) -> None:
        """Forget the batches not committed and leave the group; the next consumer starts from the committed
        offsets."""
        if self._in_flight is not None:
            self._in_flight = None
            self._handler.discarded()
        self._in_batch = self._paused = self._unsynced = self._batch_revoked = False
        self._start_over = None
        self._consumer = None
        close_quietly(consumer, self._handler.name)
        self._handler.forget(self._handler.stores.partitions)
        self.health.partitions = ()

    # Consuming

    def _next_messages(self, consumer: Consumer, wait_s: float) -> list[Message]:
        """The next batch's records (``streams.engine.consuming.gather``)."""
        revocations = self._revocations
        messages = gather(consumer, self._max_records, wait_s, self._last_batch_at + self._batch_interval_s)
        if self._revocations != revocations:  # some may be of partitions no longer this loop's: read them again
            self._rewind(messages)
            return []
        return records_of(messages, self._handler.name)

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
        self._revocations += 1
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
            if self._start_over is not None:
                raise BatchAbandoned("records to read again could not be sought back to")

    # Handling batches

    def _step(self, messages: list[Message]) -> None:
        """Start a batch of ``messages`` (if any) and commit the one in flight; the new one is committed at once
        too, unless the handler overlaps batches."""
        previous, self._in_flight = self._in_flight, None
        if previous is None:
            self._batch_revoked = False
        self._in_batch = True
        try:
            current = self._start(messages) if messages else None
            if previous is not None and not self._finish(previous, current):
                return  # the batch started after it goes with it
            if current is not None and self._handler.overlaps:
                self._in_flight = current
            elif current is not None:
                self._finish(current, None)
        finally:
            self._in_batch = self._in_flight is not None

    def _start(self, messages: list[Message]) -> InFlight:
        self._last_batch_at = time.monotonic()
        started = time.perf_counter()
        return InFlight(messages, self._handler.start(messages), time.perf_counter() - started)

    def _finish(self, batch: InFlight, after: InFlight | None) -> bool:
        """Wait for the batch and commit it; ``after``: the batch started since, dropped too if this one is not
        committed. Returns whether it was."""
        started = time.perf_counter()
        later = after.messages if after is not None else []
        try:
            output = batch.started.finish(self._wait)
            if self._batch_revoked:
                raise BatchAbandoned("partitions revoked")
            processed = time.perf_counter()
            checkpoints = self._commit(output, batch.messages, later)
        except BatchAbandoned as abandoned:
            log.info("loop %s: batch of %d records abandoned (%s)", self._handler.name, len(batch.messages) + len(later),
                     abandoned)
            self._handler.discarded()
            self._rewind([*batch.messages, *later])
            return False
        except TransactionFailed as failure:
            self._handler.discarded()
            self._unsynced = True
            self.health.problem(KAFKA, str(failure))
            log.warning("loop %s: batch of %d records not committed%s (%s); going on from the committed offsets",
                        self._handler.name, len(batch.messages), " for certain" if not failure.uncertain else "",
                        failure)
            self._stopping.wait(RETRY_BACKOFF_S[1])
            return False
        finally:
            self._resume()
        committed = time.perf_counter()
        self._handler.stores.apply(output.writes, checkpoints)
        self._handler.committed()
        self.health.resolved(KAFKA)
        self.health.resolved(LOOP_PROBLEM)
        self.health.committed(len(batch.messages), output, {"process": batch.start_s + processed - started,
                                                           "commit": committed - processed,
                                                           "apply": time.perf_counter() - committed})
        return True

    def _resume(self) -> None:
        if self._paused and self._consumer is not None:
            self._consumer.resume(self._consumer.assignment())
            self._paused = False

    def _rewind(self, messages: list[Message]) -> None:
        """Read ``messages`` again; where that cannot be done, the loop starts over rather than go on past them."""
        if self._consumer is not None and not rewind(self._consumer, messages, self._handler.name):
            self._start_over = "records to read again could not be sought back to"

    def _commit(self, batch: Batch, messages: list[Message], later: list[Message]) -> dict[tuple[str, int], int]:
        consumer = self._consumer
        assert consumer is not None
        return self._transactions.commit(batch, next_offsets(consumer, messages, later),
                                         consumer.consumer_group_metadata())

    def _resync(self, consumer: Consumer) -> bool:
        """After a batch that may or may not have committed: go on from what the broker says is committed, with
        the stores brought up to their changelogs and nothing parsed kept. ``False``: Kafka cannot say yet."""
        assignment = consumer.assignment()
        try:
            committed = consumer.committed(assignment, timeout=10) if assignment else []
            self._transactions.renew()
            partitions = self._handler.stores.partitions
            self._handler.forget(partitions)
            self._handler.stores.assign(partitions)
        except (KafkaException, RuntimeError, TransactionFailed) as error:
            self.health.problem(KAFKA, f"cannot read the committed offsets: {error}")
            self._stopping.wait(RETRY_BACKOFF_S[2])
            return False
        self._unsynced = False
        self._start_over = seek_to_committed(consumer, committed)
        return True
