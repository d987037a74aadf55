"""The garbage collector's thresholds for the long-running processes."""

import gc


def tune_for_throughput() -> None:
    """What is alive once a process has started is moved out of the collector's sight, and young objects are
    collected every 50,000 allocations instead of 700. A worker keeps tens of thousands of parsed values alive (its
    stores' caches) and an API its app and models, while each record or request allocates many short-lived
    objects: with the default thresholds the collector walks the long-lived ones over and over (about a quarter of
    the worker's CPU). Young objects are still collected often enough to keep memory flat."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
