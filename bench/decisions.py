"""When the worker decided commands: their outcomes as they appear on ``commands.outcomes``."""

import threading
import time
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, TopicPartition
from pydantic_core import from_json

from bench.kafka_raw import end_offsets
from schemas.topics import COMMAND_OUTCOMES


@dataclass(frozen=True)
class Decided:
    decided: int
    rejected: dict[str, int]  # rejection code -> count
    missing: int
    last_at: float  # time.monotonic() of the last outcome read


class OutcomeWatch:
    """Reads every outcome published after it started, on a thread of its own."""

    def __init__(self, kafka: Mapping[str, Any]) -> None:
        starts = end_offsets(kafka, COMMAND_OUTCOMES)
        self._consumer = Consumer({**kafka, "group.id": f"orderflow-bench-{uuid.uuid4()}",
                                   "enable.auto.commit": False, "log_level": 3})
        self._consumer.assign([TopicPartition(COMMAND_OUTCOMES, p, offset) for p, offset in starts.items()])
        self._seen: dict[str, tuple[float, str]] = {}  # command id -> (read at, rejection code or "")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="bench-outcomes", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            messages = self._consumer.consume(5000, timeout=0.2)
            now = time.monotonic()
            with self._lock:
                for message in messages:
                    value = message.value()
                    if message.error() or value is None:
                        continue
                    outcome = from_json(value)  # a third of json.loads's CPU, which the system measured shares
                    if outcome["status"] != "pending":
                        self._seen.setdefault(outcome["command_id"], (now, outcome.get("code") or ""))

    def decided_count(self, command_ids: Collection[str]) -> int:
        with self._lock:
            return sum(1 for command_id in command_ids if command_id in self._seen)

    def wait_for(self, command_ids: Collection[str], timeout_s: float) -> Decided:
        deadline = time.monotonic() + timeout_s
        while self.decided_count(command_ids) < len(command_ids) and time.monotonic() < deadline:
            time.sleep(0.1)
        with self._lock:
            found = [self._seen[command_id] for command_id in command_ids if command_id in self._seen]
        rejected: dict[str, int] = {}
        for _, code in found:
            if code:
                rejected[code] = rejected.get(code, 0) + 1
        return Decided(len(found), rejected, len(command_ids) - len(found), max((at for at, _ in found), default=0.0))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._consumer.close()
