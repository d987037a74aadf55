"""How each loop of the worker is doing, for ``/health`` and ``/metrics``."""

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streams.engine.batches import Batch


@dataclass
class LoopHealth:
    """Written by the loop's thread, read by the web server's."""

    name: str
    state: str = "starting"  # starting | restoring | running | stopped
    partitions: tuple[int, ...] = ()
    batches: int = 0
    records_in: int = 0
    records_out: int = 0
    store_writes: int = 0
    last_batch_at: float | None = None
    # Seconds spent per phase over the committed batches: consume (waiting included), process, commit.
    seconds: dict[str, float] = field(default_factory=dict)
    _problems: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def problem(self, source: str, reason: str) -> None:
        with self._lock:
            self._problems[source] = reason

    def resolved(self, source: str) -> None:
        with self._lock:
            self._problems.pop(source, None)

    def has_problem(self, source: str) -> bool:
        with self._lock:
            return source in self._problems

    def problems(self) -> dict[str, str]:
        with self._lock:
            return dict(self._problems)

    @property
    def healthy(self) -> bool:
        return self.state == "running" and not self.problems()

    def counted(self, records_in: int, records_out: int, store_writes: int) -> None:
        self.batches += 1
        self.records_in += records_in
        self.records_out += records_out
        self.store_writes += store_writes
        self.last_batch_at = time.time()

    def committed(self, records_in: int, batch: "Batch", seconds: dict[str, float]) -> None:
        """A batch committed: its records and store writes counted, the seconds of each phase added."""
        self.counted(records_in, len(batch.records), batch.size - len(batch.records))
        for phase, spent in seconds.items():
            self.spent(phase, spent)

    def spent(self, phase: str, seconds: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds

    def report(self) -> dict[str, object]:
        return {
            "state": self.state, "healthy": self.healthy, "problems": self.problems(),
            "partitions": list(self.partitions), "batches": self.batches, "records_in": self.records_in,
            "records_out": self.records_out, "store_writes": self.store_writes, "last_batch_at": self.last_batch_at,
            "seconds": {phase: round(value, 3) for phase, value in self.seconds.items()},
        }
