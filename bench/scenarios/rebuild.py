"""`orderflow rebuild` of one read model: events replayed into a new index, beside a raw bulk load of the
documents it ends up with."""

import time

from elasticsearch import Elasticsearch

from bench.es_raw import raw_bulk_of
from bench.options import BenchOptions
from bench.results import Row, ScenarioResult
from bench.stats import rate
from bench.targets import REBUILD_RATIO, TargetCheck
from common.clients import elasticsearch_options
from ops.rebuild.indexes import BULK_LOAD_SETTINGS
from ops.rebuild.run import rebuild
from ops.rebuild.targets import TARGETS
from ops.settings import Settings

# The rebuild says this once the new index is complete and serves the alias; the verification follows.
SWAPPED_PREFIX = "alias "


class Timeline:
    """The rebuild's messages with the time each was said."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.said: list[tuple[float, str]] = []

    def say(self, text: str) -> None:
        self.said.append((time.monotonic() - self.started, text))
        print(text, flush=True)

    def seconds_until(self, prefix: str) -> float | None:
        return next((at for at, text in self.said if text.startswith(prefix)), None)


def run(settings: Settings, options: BenchOptions) -> ScenarioResult:
    target = TARGETS[options.rebuild_model]
    timeline = Timeline()
    report = rebuild(settings, target, drop_old=True, say=timeline.say)
    total_s = time.monotonic() - timeline.started
    indexed_s = timeline.seconds_until(SWAPPED_PREFIX) or total_s
    elasticsearch = elasticsearch_options(settings)
    es = Elasticsearch(**elasticsearch, request_timeout=60)
    try:
        documents = int(es.count(index=report.index)["count"])
    finally:
        es.close()
    print("raw bulk: the rebuilt index's documents into a scratch index", flush=True)
    raw = raw_bulk_of(elasticsearch, target.model, {"match_all": {}}, settings.data_dir / "bench",
                      BULK_LOAD_SETTINGS["index"])
    events_rate = rate(report.events, indexed_s)
    raw_rate = rate(raw.documents, raw.seconds)
    result = ScenarioResult("rebuild", {"read_model": target.model.alias, "events": report.events,
                                        "documents": documents})
    result.rows = [
        Row("events replayed", events_rate, "events/s", raw_rate, raw_unit="documents/s"),
        Row("documents indexed", rate(documents, indexed_s), "documents/s", raw_rate),
        Row("whole rebuild including verification", total_s, "s"),
    ]
    result.checks = [TargetCheck(REBUILD_RATIO, events_rate / raw_rate if raw_rate else None)]
    result.details = {"index": report.index, "verified": report.verification.ok, "indexed_seconds": indexed_s,
                      "total_seconds": total_s, "raw_documents": raw.documents, "raw_seconds": raw.seconds,
                      "skipped": len(report.skipped), "refused": len(report.refused)}
    result.notes = [
        f"`rebuild {target.model.alias}` (the project's ops/rebuild/run.py, old index dropped after a good "
        f"verification): {report.events:,} events replayed from offset 0 into {report.index}; rates are over the "
        "time until the alias served the new index (replay, catch-up, settings restored, swap), the verification "
        "after it is in the whole-rebuild time.",
        "Raw client: the rebuilt index's documents exported and bulk-loaded (2,000 per request, external versions, "
        "sequential, refresh at the end) into a scratch index with the same mapping and the rebuild's bulk-load "
        "settings. The target's ratio is the issue's: events replayed per second against documents bulk-loaded per "
        "second. The documents row compares like with like (both end with the same documents); it is lower because "
        "a rebuild folds every event of an order and writes only the newest version of each document.",
        "The event log holds what earlier scenarios sent; the query scenario's data set is not in it (see query).",
    ]
    if not report.ok:
        result.notes.append("The rebuild's verification failed: " + "; ".join(report.verification.lines()))
    return result
