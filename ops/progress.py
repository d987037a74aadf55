"""Progress of long operations (rebuild, bench, data loads) on stderr: done/total, rate and time left, drawn by tqdm.

The work can grow while it runs (a rebuild catches up with events that arrived meanwhile), hence ``extend``.
"""

import sys
from typing import TextIO

from tqdm import tqdm


class Progress:
    def __init__(self, what: str, total: int, unit: str = "records", every_s: float = 0.5,
                 out: TextIO | None = None) -> None:
        self._bar = tqdm(total=total, desc=what, unit=f" {unit}", mininterval=every_s, file=out or sys.stderr,
                         dynamic_ncols=True)

    @property
    def done(self) -> int:
        return int(self._bar.n)

    @property
    def total(self) -> int:
        return int(self._bar.total or 0)

    def advance(self, count: int = 1) -> None:
        self._bar.update(count)

    def extend(self, more: int) -> None:
        """More work became known (e.g. records that arrived while working)."""
        self._bar.total = self.total + more
        self._bar.refresh()

    def finish(self) -> None:
        self._bar.close()
