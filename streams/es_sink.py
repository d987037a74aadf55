"""Bulk writes to Elasticsearch with external versions; waits out outages instead of dropping.

One ``write`` is one batch's documents: it returns once every document is written, found stale (the index holds
that version or a newer one) or refused for good (e.g. a mapping error: the caller dead-letters its origin). While
Elasticsearch cannot take them it retries with backoff, through the ``wait`` it is given (the worker's waits keep
its Kafka group membership alive and give up when the batch is abandoned), and says so through ``health``.
"""

import logging
import time
from typing import Any, Protocol

from elasticsearch import ApiError, Elasticsearch, TransportError
from pydantic_core import to_json

from streams.ports import Wait
from streams.records import FailedAction, IndexAction, write_newest

log = logging.getLogger(__name__)

ELASTICSEARCH = "elasticsearch"
RETRYABLE_STATUS = {429, 502, 503, 504}
TOO_LARGE = 413
MAX_BACKOFF_S = 10.0
# Of the bulk answer, what ``write`` reads: a few bytes per document instead of a few hundred to parse.
ANSWER_FIELDS = "errors,items.*.status,items.*.error"


class Health(Protocol):
    def problem(self, source: str, reason: str) -> None: ...

    def resolved(self, source: str) -> None: ...


class _Unwatched:
    def problem(self, source: str, reason: str) -> None:
        pass

    def resolved(self, source: str) -> None:
        pass


class ElasticsearchSink:
    """The ``DocumentSink`` of Elasticsearch: bulk requests with external versions."""

    def __init__(self, client: Elasticsearch, health: Health | None = None) -> None:
        self._client = client
        self._health = health or _Unwatched()
        self.written = 0
        self.stale = 0

    def write(self, actions: list[IndexAction], wait: Wait = time.sleep) -> list[FailedAction]:
        """Write all actions (only the newest of each document, see ``write_newest``); returns only those
        Elasticsearch refused for good."""
        failed, superseded = write_newest(actions, lambda newest: self._write_all(newest, wait))
        self.stale += superseded
        return failed

    def _write_all(self, actions: list[IndexAction], wait: Wait) -> list[FailedAction]:
        pending = list(actions)
        failed: list[FailedAction] = []
        attempt = 0
        while pending:
            items = self._bulk(pending, wait)
            retry: list[IndexAction] = []
            for action, item in zip(pending, items, strict=True):
                status = item["index"]["status"]
                if status < 300:
                    self.written += 1
                elif status == 409:
                    self.stale += 1  # the index already has this version or a newer one
                elif status in RETRYABLE_STATUS:
                    retry.append(action)
                else:
                    failed.append(FailedAction(action, _reason(item["index"])))
            pending = retry
            if pending:
                attempt += 1
                wait(_backoff(attempt))
        return failed

    def _bulk(self, actions: list[IndexAction], wait: Wait) -> list[dict[str, Any]]:
        """The bulk answer's items; a request too large for Elasticsearch is sent in halves."""
        attempt = 0
        while True:
            try:
                answer = self._client.bulk(
                    operations=bulk_lines(actions),  # type: ignore[arg-type]  # bytes, sent as they are; typed as mappings
                    filter_path=ANSWER_FIELDS)
                items: list[dict[str, Any]] = answer.body["items"]
                self._health.resolved(ELASTICSEARCH)
                return items
            except (TransportError, ApiError) as error:
                status = error.status_code if isinstance(error, ApiError) else None
                if status == TOO_LARGE and len(actions) > 1:
                    half = len(actions) // 2
                    return self._bulk(actions[:half], wait) + self._bulk(actions[half:], wait)
                attempt += 1
                delay = _backoff(attempt)
                self._health.problem(ELASTICSEARCH, f"bulk of {len(actions)} documents not taken: {error}")
                log.warning("Elasticsearch did not take %d documents (%s); retrying in %.1fs", len(actions), error,
                            delay)
                wait(delay)


def bulk_lines(actions: list[IndexAction]) -> list[bytes]:
    """The bulk request's NDJSON lines, rendered here once (the client passes bytes through unchanged)."""
    lines: list[bytes] = []
    for action in actions:
        lines.append(to_json({"index": {
            "_index": action.index, "_id": action.doc_id, "version": action.version,
            "version_type": "external_gte" if action.same_version else "external",
        }}))
        lines.append(to_json(action.document))
    return lines


def _backoff(attempt: int) -> float:
    return min(MAX_BACKOFF_S, 0.2 * 2.0 ** min(attempt, 10))


def _reason(result: dict[str, Any]) -> str:
    error = result.get("error") or {}
    return f"{error.get('type', 'error')}: {error.get('reason', result.get('status'))}"
