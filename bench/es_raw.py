"""The raw client's side of the indexing comparisons: the same documents, bulk-loaded into a scratch index."""

import json
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, helpers

from schemas.mappings import ReadModel

DOCS_PER_BULK = 2000
NDJSON = {"content-type": "application/x-ndjson", "accept": "application/json"}


@dataclass(frozen=True)
class RawBulk:
    documents: int
    seconds: float


def export_documents(es: Elasticsearch, alias: str, query: dict[str, Any], path: Path) -> int:
    """Write the matching documents as bulk `index` pairs (with their external version) to ``path``."""
    count = 0
    with path.open("wb") as out:
        for hit in helpers.scan(es, index=alias, query={"query": query}, version=True, size=2000):
            action = {"index": {"_id": hit["_id"], "version": hit["_version"], "version_type": "external"}}
            out.write(json.dumps(action).encode() + b"\n" + json.dumps(hit["_source"]).encode() + b"\n")
            count += 1
    return count


def bulk_bodies(path: Path, documents_per_body: int = DOCS_PER_BULK) -> Iterator[bytes]:
    with path.open("rb") as lines:
        body: list[bytes] = []
        for line in lines:
            body.append(line)
            if len(body) == 2 * documents_per_body:
                yield b"".join(body)
                body = []
        if body:
            yield b"".join(body)


def bulk_load(elasticsearch: Mapping[str, Any], model: ReadModel, path: Path, index_settings: dict[str, Any]) -> RawBulk:
    """Time a sequential bulk load of the exported documents into a new scratch index with ``model``'s mapping,
    then delete the index. The bodies are prepared before the clock starts and go as they are (already encoded):
    this is the server's side alone. ``elasticsearch``: the client options (``common.clients.elasticsearch_options``)."""
    es = Elasticsearch(**elasticsearch, request_timeout=120)
    index = f"bench-scratch-{model.alias}-{uuid.uuid4().hex[:8]}"
    body = model.body()
    es.indices.create(index=index, mappings=body["mappings"], settings={**body["settings"], **index_settings})
    documents = 0
    try:
        started = time.monotonic()
        for bulk in bulk_bodies(path):
            answer = es.perform_request("POST", f"/{index}/_bulk", body=bulk, headers=NDJSON).body
            if answer["errors"]:
                raise RuntimeError(f"raw bulk into {index} refused documents: {_first_error(answer)}")
            documents += len(answer["items"])
        es.indices.refresh(index=index)
        seconds = time.monotonic() - started
    finally:
        es.indices.delete(index=index, ignore_unavailable=True)
        es.close()
    return RawBulk(documents, seconds)


def _first_error(answer: dict[str, Any]) -> str:
    failed = next(item["index"] for item in answer["items"] if item["index"].get("error"))
    return json.dumps(failed["error"])[:300]


def raw_bulk_of(elasticsearch: Mapping[str, Any], model: ReadModel, query: dict[str, Any], work_dir: Path,
                index_settings: dict[str, Any]) -> RawBulk:
    """Export the documents of ``model``'s alias matching ``query`` and time loading them raw."""
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / f"{model.alias}-{uuid.uuid4().hex[:8]}.ndjson"
    es = Elasticsearch(**elasticsearch, request_timeout=120)
    try:
        export_documents(es, model.alias, query, path)
        return bulk_load(elasticsearch, model, path, index_settings)
    finally:
        es.close()
        path.unlink(missing_ok=True)
