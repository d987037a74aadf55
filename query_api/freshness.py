"""Read-your-writes: read again until the projection reached a version, for a bounded time."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MIN_VERSION_WAIT_S = 3.0
POLL_INTERVAL_S = 0.05
STALE_HEADER = "X-Stale"


@dataclass(frozen=True)
class Read(Generic[T]):
    """What a read found (``None``: nothing), and whether it is older than the version asked for."""

    found: T | None
    stale: bool = False


async def read_at_least(
    fetch: Callable[[], Awaitable[T | None]],
    version_of: Callable[[T], int],
    min_version: int | None,
    wait_s: float = MIN_VERSION_WAIT_S,
    poll_s: float = POLL_INTERVAL_S,
) -> Read[T]:
    """``fetch`` until what it finds has at least ``min_version``, or ``wait_s`` has passed.

    Without ``min_version`` this is one plain fetch.
    """
    deadline = time.monotonic() + wait_s
    while True:
        found = await fetch()
        if min_version is None or (found is not None and version_of(found) >= min_version):
            return Read(found)
        left = deadline - time.monotonic()
        if left <= 0:
            return Read(found, stale=found is not None)
        await asyncio.sleep(min(poll_s, left))
