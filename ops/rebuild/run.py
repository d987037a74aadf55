"""``orderflow rebuild``: replay the event log into the next index version, swap the alias, verify.

Queries keep reading the old index until the swap, which is one atomic alias update. Records that
arrive while the rebuild runs are folded by catching up to the log end before the swap, and once
more after it (the live projector wrote those to the old index until the swap).
"""

import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast

from elasticsearch import Elasticsearch
from pydantic import TypeAdapter
from rocksdict import Options, Rdict, WriteBatch

from common.clients import elasticsearch_options, kafka_options
from ops.progress import Progress
from ops.rebuild.indexes import create_next_index, restore_normal_settings, swap_alias
from ops.rebuild.replay import Replayer
from ops.rebuild.targets import RebuildTarget
from ops.rebuild.verify import Verification, indexed_pairs, verify
from ops.settings import Settings
from schemas.codec import decode
from schemas.deadletter import DeadLetter
from streams.es_sink import ElasticsearchSink
from streams.folding import project_settled
from streams.handlers import consumed
from streams.ports import DocumentSink, StoreWrite
from streams.projecting import Projectors
from streams.records import Consumed, IndexAction

# Catching up before the swap stops once fewer records than this are left; the rest is read after it.
CATCH_UP_UNTIL = 1000
MAX_CATCH_UPS = 5


@dataclass(frozen=True)
class RebuildReport:
    index: str
    replaced: list[str]
    dropped: list[str]
    events: int
    skipped: list[str]
    refused: list[str]
    verification: Verification

    @property
    def ok(self) -> bool:
        return self.verification.ok and not self.refused


class FoldState:
    """The replay's own stores, on disk (a 1M-order log does not fit comfortably in memory): the projectors'
    ``KeyValueTable``."""

    def __init__(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        self._path = path
        options = Options(raw_mode=True)
        options.create_if_missing(True)
        self._db = Rdict(str(path), options=options)

    @staticmethod
    def _key(store: str, partition: int, key: str) -> bytes:
        return f"{store}\x00{partition}\x00{key}".encode()

    def read(self, store: str, partition: int, key: str) -> bytes | None:
        return self._db.get(self._key(store, partition, key))

    def apply(self, writes: Iterable[StoreWrite]) -> None:
        batch = WriteBatch(raw_mode=True)
        for store, partition, key, value in writes:
            if value is None:
                batch.delete(self._key(store, partition, key))
            else:
                batch.put(self._key(store, partition, key), value)
        self._db.write(batch)

    def items(self, store: str) -> Iterator[tuple[str, bytes]]:
        prefix = f"{store}\x00".encode()
        # A raw-mode Rdict's keys are bytes; its stubs type them for every mode.
        for key, value in cast(Iterator[tuple[bytes, bytes]], self._db.items(from_key=prefix)):
            if not key.startswith(prefix):
                return
            yield key.decode().split("\x00", 2)[2], value

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self._path, ignore_errors=True)


class Rebuild:
    def __init__(self, target: RebuildTarget, index: str, state: FoldState, sink: DocumentSink, replayer: Replayer,
                 since: datetime | None = None) -> None:
        self._target = target
        self._since = since
        # With ``since``: the newest version written per document (what the index must hold afterwards).
        self._written: dict[str, int] = {}
        self._index = index
        self._state = state
        self._sink = sink
        self._projectors = Projectors([target.spec], state.read, outputs=target.outputs)
        self._replayer = replayer
        self.events = 0
        self.skipped: list[str] = []
        self.refused: list[str] = []

    def replay_to_end(self, progress: Progress) -> None:
        """Folding a batch while the one before is written: one bulk request in flight beside the folding."""
        ends = self._replayer.end_offsets()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild-bulk") as writer:
            writing: Future[None] | None = None
            for batch in self._replayer.read_until(ends):
                actions = self._fold([consumed(message) for message in batch])
                if writing is not None:
                    writing.result()
                writing = writer.submit(self._sink_batch, actions)
                self.events += len(batch)
                progress.advance(len(batch))
            if writing is not None:
                writing.result()

    def behind(self) -> int:
        return self._replayer.behind(self._replayer.end_offsets())

    def _fold(self, records: list[Consumed]) -> list[IndexAction]:
        """The batch through the live projectors' code; what they dead-lettered live is reported here."""
        projected = project_settled(self._projectors, records, self._state)
        self.skipped += [_dead_letter_line(letter.value) for letter in projected.dead_letters]
        actions = [action for action, origin in projected.actions
                   if action.index == self._target.model.alias and self._indexed(origin)]
        if self._since is not None:
            for key, version in map(self._target.written, actions):
                self._written[key] = max(version, self._written.get(key, 0))
        return actions

    def _indexed(self, origin: Consumed) -> bool:
        """With ``since``: only what events from then on wrote (earlier ones are folded for the views that later
        events build on)."""
        if self._since is None:
            return True
        return decode(origin.value).occurred_at >= self._since

    def _sink_batch(self, actions: list[IndexAction]) -> None:
        """Into the new index; the sink sends only the newest version of each document."""
        redirected = [IndexAction(self._index, a.doc_id, a.version, a.document) for a in actions]
        failures = self._sink.write(redirected)
        self.refused += [f"{failure.action.doc_id}: {failure.reason}" for failure in failures]

    def expected_pairs(self) -> dict[str, int]:
        if self._since is not None:
            return dict(self._written)
        spec = self._target.spec
        views = TypeAdapter(spec.view_type)
        return dict(
            pair
            for key, stored in self._state.items(spec.table_name)
            for pair in self._target.expected(key, spec.version_of(views.validate_json(stored)))
        )

    def close(self) -> None:
        self._replayer.close()


def _dead_letter_line(value: bytes) -> str:
    letter = decode(value).payload
    assert isinstance(letter, DeadLetter)  # the projectors dead-letter records as DeadLetter envelopes
    return f"{letter.source_topic}/{letter.partition}/{letter.offset}: {letter.error}"


def rebuild(settings: Settings, target: RebuildTarget, drop_old: bool = False,
            say: Callable[[str], None] = print, since: datetime | None = None) -> RebuildReport:
    """``since``: the new index holds what events from that time on wrote (every event is still folded, from the
    start, since views build on their earlier events); ``None``: everything."""
    es = Elasticsearch(**elasticsearch_options(settings), request_timeout=60)
    sink = ElasticsearchSink(es)
    index = create_next_index(es, target.model, settings.index_replicas)
    state = FoldState(settings.data_dir / "rebuild" / index)
    run = Rebuild(target, index, state, sink, Replayer(kafka_options(settings), target.spec.topics), since)
    try:
        window = f", indexing events from {since.isoformat()} on" if since else ""
        say(f"rebuilding {target.model.alias} into {index} from {', '.join(target.spec.topics)}{window}")
        progress = Progress(f"replay {target.model.alias}", total=run.behind(), unit="events")
        run.replay_to_end(progress)
        for _ in range(MAX_CATCH_UPS):
            if (left := run.behind()) < CATCH_UP_UNTIL:
                break
            progress.extend(left)
            run.replay_to_end(progress)
        restore_normal_settings(es, target.model, index)
        replaced = swap_alias(es, target.model, index)
        progress.extend(run.behind())
        run.replay_to_end(progress)
        progress.finish()
        es.indices.refresh(index=index)
        say(f"alias {target.model.alias} now serves {index} (was: {', '.join(replaced) or 'nothing'})")
        verification = verify(run.expected_pairs(), indexed_pairs(es, target, index))
        dropped = _drop(es, replaced) if drop_old and verification.ok else []
        return RebuildReport(index, replaced, dropped, run.events, run.skipped, run.refused, verification)
    finally:
        run.close()
        state.close()
        es.close()


def _drop(es: Elasticsearch, indexes: list[str]) -> list[str]:
    for index in indexes:
        es.indices.delete(index=index)
    return indexes


def rebuild_now(settings: Settings, target: RebuildTarget, drop_old: bool = False,
                since: datetime | None = None) -> RebuildReport:
    return rebuild(settings, target, drop_old, since=since)


def report_lines(report: RebuildReport) -> list[str]:
    lines = [f"{report.events:,} events replayed into {report.index}", *report.verification.lines()]
    if report.skipped:
        lines.append(f"{len(report.skipped)} records not projected (they are in the deadletter topic): "
                     + "; ".join(report.skipped[:5]))
    if report.refused:
        lines.append(f"{len(report.refused)} documents refused by Elasticsearch: " + "; ".join(report.refused[:5]))
    if report.dropped:
        lines.append(f"dropped old indexes: {', '.join(report.dropped)}")
    elif report.replaced:
        lines.append(f"kept old indexes (drop with --drop-old): {', '.join(report.replaced)}")
    return lines

