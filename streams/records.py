"""Records as the worker's pure code sees them: what it consumed and what it asks to produce."""

from dataclasses import dataclass
from typing import Any, NamedTuple

from schemas.codec import encode
from schemas.topics import DEADLETTER
from streams.deadletters import dead_letter


class Consumed(NamedTuple):
    """A consumed record and where it was (a named tuple: one is built per record, at a third of a frozen
    dataclass's cost)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True)
class Record:
    """A record to produce. ``partition`` ``None``: the key's partition (murmur2, as every producer of the project)."""

    topic: str
    key: bytes | None
    value: bytes
    partition: int | None = None


@dataclass(frozen=True)
class IndexAction:
    """Index ``document`` as ``doc_id`` unless the index already holds ``version`` or newer (``same_version``: or
    a newer one; for a document that changes while its view stays at its version)."""

    index: str
    doc_id: str
    version: int
    document: dict[str, Any]
    same_version: bool = False


def dead_letter_record(consumed: Consumed, error: str) -> Record:
    """``consumed`` for the dead-letter topic, with its original bytes, where it was and why."""
    letter = dead_letter(consumed.topic, consumed.partition, consumed.offset, consumed.key, consumed.value, error)
    return Record(DEADLETTER, consumed.key, encode(letter))
