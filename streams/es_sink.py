"""Bulk writes to Elasticsearch with external versions; waits out outages instead of dropping."""

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from pydantic_core import to_json

log = logging.getLogger(__name__)

RETRYABLE_STATUS = {429, 502, 503, 504}
MAX_BACKOFF_S = 10.0


@dataclass(frozen=True)
class IndexAction:
    """Index ``document`` as ``doc_id`` unless the index already holds ``version`` or newer."""

    index: str
    doc_id: str
    version: int
    document: dict[str, Any]


@dataclass(frozen=True)
class FailedAction:
    action: IndexAction
    reason: str


class ElasticsearchSink:
    def __init__(self, client: AsyncElasticsearch) -> None:
        self._client = client
        self.written = 0
        self.stale = 0

    async def write(self, actions: list[IndexAction]) -> list[FailedAction]:
        """Write all actions; returns only those Elasticsearch refused for good (e.g. a mapping error).

        Of several actions for one document only the newest is sent: the older versions would be replaced by it at
        once. Should Elasticsearch refuse the newest, the older ones are written after all, as if each had been sent.
        """
        newest, superseded = newest_per_document(actions)
        failed = await self._write_all(newest)
        refused = {(failure.action.index, failure.action.doc_id) for failure in failed}
        retried = [action for action in superseded if (action.index, action.doc_id) in refused]
        self.stale += len(superseded) - len(retried)
        return failed + await self.write(retried) if retried else failed

    async def _write_all(self, actions: list[IndexAction]) -> list[FailedAction]:
        pending = list(actions)
        failed: list[FailedAction] = []
        attempt = 0
        while pending:
            response = await self._bulk_until_reachable(pending)
            retry: list[IndexAction] = []
            for action, item in zip(pending, response["items"], strict=True):
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
                await asyncio.sleep(_backoff(attempt))
        return failed

    async def _bulk_until_reachable(self, actions: list[IndexAction]) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                return (await self._client.bulk(operations=bulk_lines(actions))).body
            except (TransportError, ApiError) as error:
                if isinstance(error, ApiError) and error.status_code not in RETRYABLE_STATUS:
                    raise
                attempt += 1
                delay = _backoff(attempt)
                log.warning("Elasticsearch unavailable (%s); retrying %d actions in %.1fs", error, len(actions), delay)
                await asyncio.sleep(delay)


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


def bulk_lines(actions: list[IndexAction]) -> list[bytes]:
    """The bulk request's NDJSON lines, rendered here once (the client passes bytes through unchanged)."""
    lines: list[bytes] = []
    for action in actions:
        lines.append(to_json({"index": {
            "_index": action.index, "_id": action.doc_id, "version": action.version, "version_type": "external",
        }}))
        lines.append(to_json(action.document))
    return lines


def _backoff(attempt: int) -> float:
    return min(MAX_BACKOFF_S, 0.2 * 2 ** min(attempt, 10))


def _reason(result: dict[str, Any]) -> str:
    error = result.get("error") or {}
    return f"{error.get('type', 'error')}: {error.get('reason', result.get('status'))}"
