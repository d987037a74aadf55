"""Random (version 4) UUIDs without a system call per id.

``uuid.uuid4`` reads 16 bytes from ``os.urandom`` each time, and that call lets go of the interpreter lock: under
load the event loop then waits behind the process's other threads to get it back, for every id. Here each thread
reads random bytes for many ids at once from the same source and hands them out one by one.
"""

import os
import threading
import uuid

IDS_PER_READ = 256
_pools = threading.local()


def random_uuid() -> uuid.UUID:
    """A version 4 UUID from the operating system's random source, like ``uuid.uuid4()``."""
    pool: bytes = getattr(_pools, "bytes", b"")
    at: int = getattr(_pools, "at", 0)
    if at >= len(pool):
        pool, at = os.urandom(16 * IDS_PER_READ), 0
        _pools.bytes = pool
    _pools.at = at + 16
    return uuid.UUID(bytes=pool[at:at + 16], version=4)


def _forget_pool() -> None:
    """A forked child must not hand out the ids its parent still holds."""
    _pools.bytes, _pools.at = b"", 0


os.register_at_fork(after_in_child=_forget_pool)
