"""One document by id, for the detail reads."""

from typing import Any

from elasticsearch import AsyncElasticsearch

from query_api.errors import UnexpectedAnswer


async def document_source(es: AsyncElasticsearch, alias: str, doc_id: str) -> dict[str, Any] | None:
    """The ``_source`` of document ``doc_id`` behind ``alias``; ``None`` when there is none.

    The id travels in the request body (``mget``), not in the URL path, where ids such as ``.`` and ``..`` would
    be read as path segments and name another endpoint.
    """
    [found] = (await es.mget(index=alias, ids=[doc_id]))["docs"]
    if "error" in found:
        raise UnexpectedAnswer(f"reading {alias}/{doc_id}: {found['error']}")
    return found["_source"] if found.get("found") else None
