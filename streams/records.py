"""Records as the worker's pure code sees them: what it consumed and what it asks to produce."""

from collections.abc import Callable
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


@dataclass(frozen=True)
class FailedAction:
    """A document the index refused for good (e.g. a mapping error), and why."""

    action: IndexAction
    reason: str


def newest_per_document(actions: list[IndexAction]) -> tuple[list[IndexAction], list[IndexAction]]:
    """The newest action for each document (of equal versions the later one), in the order of the actions, and the
    others."""
    newest: dict[tuple[str, str], IndexAction] = {}
    for action in actions:
        document = (action.index, action.doc_id)
        known = newest.get(document)
        if known is None or action.version >= known.version:
            newest[document] = action
    kept = {id(action) for action in newest.values()}
    return ([action for action in actions if id(action) in kept],
            [action for action in actions if id(action) not in kept])


def write_newest(actions: list[IndexAction], write_all: Callable[[list[IndexAction]], list[FailedAction]]
                 ) -> tuple[list[FailedAction], int]:
    """``write_all`` the newest action of each document: the older versions would be replaced by it at once. Should
    the newest be refused, the older ones are written after all, as if each had been sent. Returns the refused
    actions and how many older ones were left unwritten."""
    newest, superseded = newest_per_document(actions)
    failed = write_all(newest)
    refused = {(failure.action.index, failure.action.doc_id) for failure in failed}
    retried = [action for action in superseded if (action.index, action.doc_id) in refused]
    left = len(superseded) - len(retried)
    if not retried:
        return failed, left
    more, more_left = write_newest(retried, write_all)
    return failed + more, left + more_left


def dead_letter_record(consumed: Consumed, error: str) -> Record:
    """``consumed`` for the dead-letter topic, with its original bytes, where it was and why."""
    letter = dead_letter(consumed.topic, consumed.partition, consumed.offset, consumed.key, consumed.value, error)
    return Record(DEADLETTER, consumed.key, encode(letter))
