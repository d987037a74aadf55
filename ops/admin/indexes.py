"""Versioned indexes behind the read-model aliases."""

from elasticsearch import Elasticsearch

from ops.settings import Settings
from schemas.mappings import READ_MODELS, ReadModel


def es_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(settings.elasticsearch_url, request_timeout=30)


def ensure_index(es: Elasticsearch, model: ReadModel) -> str | None:
    """Create ``<alias>-v<n>`` behind the alias when the alias does not exist yet. Returns the index created."""
    if es.indices.exists_alias(name=model.alias):
        return None
    index = model.index_name()
    if not es.indices.exists(index=index):
        es.indices.create(index=index, **model.body())
    es.indices.update_aliases(actions=[{"add": {"index": index, "alias": model.alias, "is_write_index": True}}])
    return index


def ensure_indexes(settings: Settings) -> list[str]:
    es = es_client(settings)
    try:
        return [index for model in READ_MODELS.values() if (index := ensure_index(es, model))]
    finally:
        es.close()
