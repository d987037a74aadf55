"""What a loop learns of whether Kafka can be reached: the client's error reports, and probes while it is idle;
after an outage, also whether its consumer fetches again (``common.stall``)."""

import logging
import time
from collections.abc import Callable

from confluent_kafka import Consumer, KafkaError, KafkaException

from common.stall import UNREACHABLE, StallWatch
from streams.engine.health import LoopHealth
from streams.engine.transactions import KAFKA

log = logging.getLogger(__name__)

PROBE_EVERY_S = 2.0
# How often the same complaint of the Kafka client is logged again.
REPEAT_LOG_S = 30.0


class KafkaWatch:
    def __init__(self, loop_name: str, health: LoopHealth, on_unreachable: Callable[[], None]) -> None:
        self._loop_name = loop_name
        self._health = health
        self._on_unreachable = on_unreachable
        self._last_probe = 0.0
        self._logged: dict[str, float] = {}
        self._stall = StallWatch()

    def on_error(self, error: KafkaError) -> None:
        """The clients' ``error_cb``."""
        if error.code() in UNREACHABLE or error.fatal():
            self._health.problem(KAFKA, f"Kafka unreachable: {error.str()}")
            self._stall.arm()
            self._on_unreachable()
        now = time.monotonic()
        if now - self._logged.get(error.str(), -REPEAT_LOG_S) >= REPEAT_LOG_S:
            self._logged[error.str()] = now
            log.warning("loop %s: Kafka reports %s", self._loop_name, error.str())

    def idle(self, consumer: Consumer) -> str | None:
        """While the loop is idle: probe Kafka if it was away; the consumer's stall, described, if it stalled."""
        self.probe(consumer)
        return self._stall.stalled(consumer)

    def probe(self, consumer: Consumer) -> None:
        """While idle and troubled, ask the cluster for metadata now and then: an answer means it is back."""
        if not self._health.has_problem(KAFKA) or time.monotonic() - self._last_probe < PROBE_EVERY_S:
            return
        self._last_probe = time.monotonic()
        try:
            consumer.list_topics(timeout=1.0)
        except KafkaException:
            return
        self._health.resolved(KAFKA)
