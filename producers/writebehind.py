"""Writes made on the event loop, put into RocksDB by a thread of their own so that no request waits for the disk.

Every write of one loop iteration goes to the thread together and lands in one ``WriteBatch``. Until then the
values are kept here, and reads look here first, so the process reads its own writes at once.
"""

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# A key's new value, or None to delete it.
Write = tuple[bytes, bytes | None]
STOP: list[Write] = []
RETRY_PAUSE_S = 1.0


class WriteBehind:
    def __init__(self, write_batch: Callable[[list[Write]], None]) -> None:
        self._write_batch = write_batch
        self._unwritten: dict[bytes, bytes | None] = {}  # event loop only
        self._gathering: list[Write] = []  # event loop only
        self._rounds: queue.SimpleQueue[list[Write]] = queue.SimpleQueue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.problem: str | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._thread = threading.Thread(target=self._write_forever, name="command-store-writer", daemon=True)
        self._thread.start()

    def put(self, key: bytes, value: bytes | None) -> None:
        if self._loop is None:  # not started (tests, tools): write at once
            self._write_batch([(key, value)])
            return
        if not self._gathering:
            self._loop.call_soon(self._hand_over)
        self._gathering.append((key, value))
        self._unwritten[key] = value

    def unwritten(self, key: bytes) -> tuple[bool, bytes | None]:
        """Whether ``key`` has a write still on its way, and its value (None: deleted)."""
        if key in self._unwritten:
            return True, self._unwritten[key]
        return False, None

    def _hand_over(self) -> None:
        writes, self._gathering = self._gathering, []
        self._rounds.put(writes)

    def _write_forever(self) -> None:
        while (writes := self._rounds.get()) is not STOP:
            while True:
                try:
                    self._write_batch(writes)
                    self.problem = None
                    break
                except Exception as error:  # noqa: BLE001 - reported by the health check, and retried
                    self.problem = f"the command store cannot be written ({type(error).__name__}: {error}); retrying"
                    log.exception("writing to the command store failed; retrying")
                    time.sleep(RETRY_PAUSE_S)
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._forget_written, writes)

    def _forget_written(self, writes: list[Write]) -> None:
        for key, value in writes:
            if key in self._unwritten and self._unwritten[key] is value:  # not written again meanwhile
                del self._unwritten[key]

    def stop(self) -> None:
        """Writes what is still gathered and waits for the thread to finish."""
        if self._thread is None:
            return
        if self._gathering:
            self._hand_over()
        self._rounds.put(STOP)
        self._thread.join(timeout=10)
        self._thread = None
