"""The projectors' documents, written on a thread of its own, batch after batch in the order they were folded."""

import queue
import threading
from concurrent.futures import Future

from streams.engine.batches import BatchAbandoned
from streams.folding import index_documents
from streams.ports import DocumentSink
from streams.projecting import Projected
from streams.records import Record

_Job = tuple["Future[list[Record]]", Projected, threading.Event]


class Indexer:
    """Writes each submitted batch's documents through the sink; the future holds the dead letters of the records
    whose documents were refused for good. ``cancel`` gives up the batches submitted so far: a sink waiting out an
    Elasticsearch outage stops retrying them."""

    def __init__(self, sink: DocumentSink) -> None:
        self._sink = sink
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._cancelled = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, projected: Projected) -> "Future[list[Record]]":
        if self._thread is None:
            # A daemon: a bulk request still retrying must not keep a stopping worker alive.
            self._thread = threading.Thread(target=self._write_forever, name="projector-indexer", daemon=True)
            self._thread.start()
        indexed: Future[list[Record]] = Future()
        self._jobs.put((indexed, projected, self._cancelled))
        return indexed

    def cancel(self) -> None:
        self._cancelled.set()
        self._cancelled = threading.Event()

    def _write_forever(self) -> None:
        while True:
            indexed, projected, cancelled = self._jobs.get()
            if cancelled.is_set():
                indexed.set_exception(BatchAbandoned("given up before it was written"))
                continue

            def wait(seconds: float, cancelled: threading.Event = cancelled) -> None:
                if cancelled.wait(seconds):
                    raise BatchAbandoned("given up while Elasticsearch was waited for")

            try:
                indexed.set_result(index_documents(projected, self._sink, wait))
            except BaseException as error:  # noqa: BLE001 - handed to the loop, which reads the future
                indexed.set_exception(error)
