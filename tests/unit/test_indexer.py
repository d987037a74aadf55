"""The projectors' indexing thread: batches written in the order they were submitted; a cancel gives up those not
written yet, and a sink waiting out an outage stops waiting."""

import threading
import time

import pytest

from streams.engine.batches import BatchAbandoned
from streams.indexer import Indexer
from streams.ports import Wait
from streams.projecting import Projected
from streams.records import Consumed, FailedAction, IndexAction


def batch(doc_id: str) -> Projected:
    action = IndexAction("orders", doc_id, 1, {"order_id": doc_id})
    return Projected(actions=[(action, Consumed("orders.events", 0, 0, doc_id.encode(), b"{}"))])


class HeldSink:
    """Writes nothing until released; each write waits (as a sink waits out an outage) through the ``wait`` given."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.written: list[str] = []

    def write(self, actions: list[IndexAction], wait: Wait = time.sleep) -> list[FailedAction]:
        while not self.released.is_set():
            wait(0.01)
        self.written.extend(action.doc_id for action in actions)
        return []


def test_batches_are_written_in_the_order_they_were_submitted() -> None:
    sink = HeldSink()
    indexer = Indexer(sink)
    first, second = indexer.submit(batch("a")), indexer.submit(batch("b"))
    sink.released.set()
    assert (first.result(timeout=5), second.result(timeout=5)) == ([], [])
    assert sink.written == ["a", "b"]


def test_a_cancel_gives_up_the_batches_submitted_before_it_and_not_those_after() -> None:
    sink = HeldSink()
    indexer = Indexer(sink)
    waiting, queued = indexer.submit(batch("a")), indexer.submit(batch("b"))
    indexer.cancel()
    later = indexer.submit(batch("c"))
    for given_up in (waiting, queued):
        with pytest.raises(BatchAbandoned):
            given_up.result(timeout=5)
    sink.released.set()
    assert later.result(timeout=5) == [] and sink.written == ["c"]
