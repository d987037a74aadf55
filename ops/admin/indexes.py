"""Versioned indexes behind the read-model aliases."""

from typing import Any

from elasticsearch import Elasticsearch

from common.clients import elasticsearch_options
from ops.settings import Settings
from schemas.mappings import READ_MODELS, ReadModel


def es_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(**elasticsearch_options(settings), request_timeout=30)


def index_settings(model: ReadModel, replicas: int) -> dict[str, Any]:
    """The model's index settings with ``replicas`` copies of each shard (``index_replicas``: the cluster's size
    decides them, not the model)."""
    live = {name: value for name, value in model.live_settings().items() if value is not None}
    return {**model.settings, **live, "number_of_replicas": replicas}


def index_version(model: ReadModel, index: str) -> int | None:
    """The ``n`` of ``<alias>-v<n>``; ``None`` for an index not named that way."""
    prefix = f"{model.alias}-v"
    suffix = index.removeprefix(prefix)
    return int(suffix) if index.startswith(prefix) and suffix.isdigit() else None


def is_outdated(model: ReadModel, aliased: list[str]) -> bool:
    """True when the alias is missing or every index behind it is an older version of the model's mapping."""
    versions = [index_version(model, index) for index in aliased]
    return all(version is not None and version < model.version for version in versions)


def ensure_index(es: Elasticsearch, model: ReadModel, replicas: int = 0) -> str | None:
    """Create ``<alias>-v<n>`` and point the alias at it when the alias is missing or behind older versions only;
    the move is one atomic alias update and the older indexes stay. Returns the index the alias was given."""
    aliased = list(es.indices.get_alias(name=model.alias)) if es.indices.exists_alias(name=model.alias) else []
    if not is_outdated(model, aliased):
        _add_new_fields(es, model, aliased)
        return None
    index = model.index_name()
    if not es.indices.exists(index=index):
        es.indices.create(index=index, **{**model.body(), "settings": index_settings(model, replicas)})
    es.indices.update_aliases(actions=[
        *({"remove": {"index": old, "alias": model.alias}} for old in aliased),
        {"add": {"index": index, "alias": model.alias, "is_write_index": True}},
    ])
    return index


def _add_new_fields(es: Elasticsearch, model: ReadModel, aliased: list[str]) -> None:
    """Fields added to a model's mapping without a version change are added to its current index (Elasticsearch
    merges new fields in place; a changed type needs a new version and ``orderflow rebuild``), and so are its live
    settings."""
    current = [index for index in aliased if index_version(model, index) == model.version]
    if current:
        es.indices.put_mapping(index=",".join(current), properties=model.properties)
        es.indices.put_settings(index=",".join(current), settings=model.live_settings())


def ensure_indexes(settings: Settings) -> list[str]:
    es = es_client(settings)
    try:
        return [index for model in READ_MODELS.values() if (index := ensure_index(es, model, settings.index_replicas))]
    finally:
        es.close()
