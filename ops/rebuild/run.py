"""``orderflow rebuild``: replay the event log into the next index version, swap the alias, verify.

Queries keep reading the old index until the swap, which is one atomic alias update. Records that
arrive while the rebuild runs are folded by catching up to the log end before the swap, and once
more after it (the live projector wrote those to the old index until the swap).
"""

import asyncio
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from confluent_kafka import Message
from elasticsearch import AsyncElasticsearch, Elasticsearch
from pydantic import TypeAdapter
from rocksdict import Options, Rdict

from ops.progress import Progress
from ops.rebuild.indexes import create_next_index, restore_normal_settings, swap_alias
from ops.rebuild.replay import Replayer
from ops.rebuild.targets import RebuildTarget
from ops.rebuild.verify import Verification, indexed_pairs, verify
from ops.settings import Settings
from schemas.codec import UndecodableRecord, decode_keyed
from streams.es_sink import ElasticsearchSink, IndexAction
from streams.projecting import Projector, VersionGap

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
    """The replay's own views, on disk (a 1M-order log does not fit comfortably in memory)."""

    def __init__(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        self._path = path
        options = Options(raw_mode=True)
        options.create_if_missing(True)
        self._db = Rdict(str(path), options=options)

    def get(self, key: str) -> bytes | None:
        return self._db.get(key.encode())

    def put(self, key: str, stored: bytes) -> None:
        self._db.put(key.encode(), stored)

    def items(self) -> list[tuple[str, bytes]]:
        return [(key.decode(), value) for key, value in self._db.items()]

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self._path, ignore_errors=True)


class Rebuild:
    def __init__(self, settings: Settings, target: RebuildTarget, index: str, state: FoldState, parts: FoldState,
                 sink: ElasticsearchSink, since: datetime | None = None) -> None:
        self._target = target
        self._since = since
        # With ``since``: the newest version written per document (what the index must hold afterwards).
        self._written: dict[str, int] = {}
        self._index = index
        self._state = state
        self._parts = parts
        self._sink = sink
        self._projector = Projector(target.spec)
        self._replayer = Replayer(settings.kafka_bootstrap, target.spec.topics)
        self.events = 0
        self.skipped: list[str] = []
        self.refused: list[str] = []

    async def replay_to_end(self, progress: Progress) -> None:
        ends = self._replayer.end_offsets()
        for batch in self._replayer.read_until(ends):
            await self._sink_batch([action for message in batch for action in self._fold(message)])
            self.events += len(batch)
            progress.advance(len(batch))

    def behind(self) -> int:
        return self._replayer.behind(self._replayer.end_offsets())

    def _fold(self, message: Message) -> list[IndexAction]:
        try:
            spec = self._target.spec
            event = decode_keyed(message.key(), message.value(), spec.event_types)
            part_key = spec.part_key(event)
            part = self._parts.get(part_key) if part_key is not None else None
            projection = self._projector.project(event, self._state.get(event.aggregate_id), part, message.offset())
        except (UndecodableRecord, VersionGap, ValueError) as error:
            # The live projector dead-lettered this record already; the rebuild reports it.
            self.skipped.append(f"{message.topic()}/{message.partition()}/{message.offset()}: {error}")
            return []
        if projection.view is not None:
            self._state.put(event.aggregate_id, projection.view)
        if projection.part is not None:
            self._parts.put(projection.part.key, projection.part.value)
        if self._since is not None and event.occurred_at < self._since:
            return []  # folded for the views that later events build on, not indexed
        actions = [action for action in projection.actions if action.index == self._target.model.alias]
        if self._since is not None:
            for key, version in map(self._target.written, actions):
                self._written[key] = max(version, self._written.get(key, 0))
        return actions

    async def _sink_batch(self, actions: list[IndexAction]) -> None:
        """Into the new index; the sink sends only the newest version of each document."""
        redirected = [IndexAction(self._index, a.doc_id, a.version, a.document) for a in actions]
        failures = await self._sink.write(redirected)
        self.refused += [f"{failure.action.doc_id}: {failure.reason}" for failure in failures]

    def expected_pairs(self) -> dict[str, int]:
        if self._since is not None:
            return dict(self._written)
        spec = self._target.spec
        views = TypeAdapter(spec.view_type)
        return dict(
            pair
            for key, stored in self._state.items()
            for pair in self._target.expected(key, spec.version_of(views.validate_json(stored)))
        )

    def close(self) -> None:
        self._replayer.close()


async def rebuild(settings: Settings, target: RebuildTarget, drop_old: bool = False,
                  say: Callable[[str], None] = print, since: datetime | None = None) -> RebuildReport:
    """``since``: the new index holds what events from that time on wrote (every event is still folded, from the
    start, since views build on their earlier events); ``None``: everything."""
    es = Elasticsearch(settings.elasticsearch_url, request_timeout=60)
    writer = AsyncElasticsearch(settings.elasticsearch_url, request_timeout=60)
    sink = ElasticsearchSink(writer)
    index = create_next_index(es, target.model)
    state = FoldState(settings.data_dir / "rebuild" / index)
    parts = FoldState(settings.data_dir / "rebuild" / f"{index}-parts")
    run = Rebuild(settings, target, index, state, parts, sink, since)
    try:
        window = f", indexing events from {since.isoformat()} on" if since else ""
        say(f"rebuilding {target.model.alias} into {index} from {', '.join(target.spec.topics)}{window}")
        progress = Progress(f"replay {target.model.alias}", total=run.behind(), unit="events")
        await run.replay_to_end(progress)
        for _ in range(MAX_CATCH_UPS):
            if (left := run.behind()) < CATCH_UP_UNTIL:
                break
            progress.extend(left)
            await run.replay_to_end(progress)
        restore_normal_settings(es, index)
        replaced = swap_alias(es, target.model, index)
        progress.extend(run.behind())
        await run.replay_to_end(progress)
        progress.finish()
        es.indices.refresh(index=index)
        say(f"alias {target.model.alias} now serves {index} (was: {', '.join(replaced) or 'nothing'})")
        verification = verify(run.expected_pairs(), indexed_pairs(es, target, index))
        dropped = _drop(es, replaced) if drop_old and verification.ok else []
        return RebuildReport(index, replaced, dropped, run.events, run.skipped, run.refused, verification)
    finally:
        run.close()
        state.close()
        parts.close()
        await writer.close()
        es.close()


def _drop(es: Elasticsearch, indexes: list[str]) -> list[str]:
    for index in indexes:
        es.indices.delete(index=index)
    return indexes


def rebuild_now(settings: Settings, target: RebuildTarget, drop_old: bool = False,
                since: datetime | None = None) -> RebuildReport:
    return asyncio.run(rebuild(settings, target, drop_old, since=since))


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

