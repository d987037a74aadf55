"""A one-line progress report for long operations: done/total, rate and time left."""

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Progress:
    what: str
    total: int
    unit: str = "records"
    every_s: float = 0.5
    out: TextIO = field(default_factory=lambda: sys.stderr)
    done: int = 0
    _started: float = field(default_factory=time.monotonic)
    _shown: float = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._shown >= self.every_s:
            self._shown = now
            self._show(end="")

    def extend(self, more: int) -> None:
        """More work became known (e.g. records that arrived while working)."""
        self.total += more

    def finish(self) -> None:
        self._show(end="\n")

    @property
    def rate(self) -> float:
        return self.done / max(time.monotonic() - self._started, 1e-9)

    def _show(self, end: str) -> None:
        left = max(self.total - self.done, 0)
        eta = left / self.rate if self.rate > 0 else float("inf")
        share = 100.0 * self.done / self.total if self.total else 100.0
        eta_text = "--" if eta == float("inf") else f"{eta:,.0f}s"
        print(f"\r{self.what}: {self.done:,}/{self.total:,} {self.unit} ({share:5.1f}%) "
              f"{self.rate:,.0f}/s, {eta_text} left", end=end, file=self.out, flush=True)
