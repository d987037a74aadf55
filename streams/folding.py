"""One batch through the pure core, the same steps wherever it runs.

The live loops fold with ``Deciders.decide`` / ``Projectors.project`` and settle the writes once their Kafka
transaction commits (``streams.engine.loop``). Where there is no transaction (the rebuild, the in-memory worker of
the tests and benchmarks) a batch is settled at once: ``decide_settled`` and ``project_settled``. The documents of a
batch go to the sink through ``index_documents`` live and in memory alike.
"""

from collections.abc import Sequence
from datetime import datetime

from streams.deciding import Deciders, Decisions
from streams.ports import DocumentSink, KeyValueTable, Wait
from streams.projecting import Projected, Projectors
from streams.records import Consumed, IndexAction, Record, dead_letter_record


def decide_settled(deciders: Deciders, records: Sequence[Consumed], now: datetime, table: KeyValueTable) -> Decisions:
    decisions = deciders.decide(records, now)
    table.apply(decisions.writes)
    deciders.committed()
    return decisions


def project_settled(projectors: Projectors, records: Sequence[Consumed], table: KeyValueTable) -> Projected:
    projected = projectors.project(records)
    table.apply(projected.writes)
    projectors.committed()
    return projected


def index_documents(projected: Projected, sink: DocumentSink, wait: Wait) -> list[Record]:
    """Writes the batch's documents; returns a dead letter for each record whose documents the sink refused."""
    origins: dict[int, Consumed] = {id(action): origin for action, origin in projected.actions}
    actions: list[IndexAction] = [action for action, _ in projected.actions]
    refused: dict[Consumed, list[str]] = {}
    for failure in sink.write(actions, wait):
        refused.setdefault(origins[id(failure.action)], []).append(failure.reason)
    return [dead_letter_record(origin, "; ".join(f"Elasticsearch refused the document: {reason}"
                                                 for reason in reasons))
            for origin, reasons in refused.items()]
