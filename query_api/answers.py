"""What the read models take from an Elasticsearch search answer."""

from typing import Any, Protocol


class SearchAnswer(Protocol):
    """A search answer read by key: the client's response object, or its body as a dict (as the tests give)."""

    def __getitem__(self, key: str, /) -> Any: ...
