"""Bulk writes to Elasticsearch with external versions; waits out outages instead of dropping."""

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, TransportError

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
        """Write all actions; returns only those Elasticsearch refused for good (e.g. a mapping error)."""
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
                return (await self._client.bulk(operations=_operations(actions))).body
            except (TransportError, ApiError) as error:
                if isinstance(error, ApiError) and error.status_code not in RETRYABLE_STATUS:
                    raise
                attempt += 1
                delay = _backoff(attempt)
                log.warning("Elasticsearch unavailable (%s); retrying %d actions in %.1fs", error, len(actions), delay)
                await asyncio.sleep(delay)


def _operations(actions: list[IndexAction]) -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = []
    for action in actions:
        operations.append({"index": {
            "_index": action.index, "_id": action.doc_id, "version": action.version, "version_type": "external",
        }})
        operations.append(action.document)
    return operations


def _backoff(attempt: int) -> float:
    return min(MAX_BACKOFF_S, 0.2 * 2 ** min(attempt, 10))


def _reason(result: dict[str, Any]) -> str:
    error = result.get("error") or {}
    return f"{error.get('type', 'error')}: {error.get('reason', result.get('status'))}"
