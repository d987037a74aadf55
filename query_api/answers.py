"""What the read models take from an Elasticsearch search answer."""

from typing import Any, Protocol


class SearchAnswer(Protocol):
    """A search answer read by key: the client's response object, or its body as a dict (as the tests give)."""

    def __getitem__(self, key: str, /) -> Any: ...


def orders_counted(by_status: dict[str, Any]) -> int:
    """How many orders matched, from a terms aggregation on ``status``: every order has a status, so its buckets
    count each matching order once. Cheaper than ``track_total_hits``, which counts the same documents again."""
    return sum(bucket["doc_count"] for bucket in by_status["buckets"]) + by_status.get("sum_other_doc_count", 0)
