"""The indexes of a rebuild: the next version behind an alias, bulk-load settings, and the atomic swap."""

import re
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from ops.admin.indexes import index_settings
from schemas.mappings import ReadModel

# While loading: no periodic refresh, no fsync per request. Restored before the swap.
BULK_LOAD_SETTINGS = {"index": {"refresh_interval": "-1", "translog": {"durability": "async"}}}


def serving_indexes(es: Elasticsearch, model: ReadModel) -> list[str]:
    try:
        return sorted(es.indices.get_alias(name=model.alias).body)
    except NotFoundError:
        return []


def existing_versions(es: Elasticsearch, model: ReadModel) -> list[int]:
    pattern = re.compile(rf"^{re.escape(model.alias)}-v(\d+)$")
    names = es.indices.get(index=f"{model.alias}-v*", allow_no_indices=True, expand_wildcards="all").body
    return sorted(int(match.group(1)) for name in names if (match := pattern.match(name)))


def create_next_index(es: Elasticsearch, model: ReadModel, replicas: int = 0) -> str:
    """A fresh ``<alias>-v<n+1>`` with the current mapping. A leftover of an interrupted rebuild (an index newer
    than every index the alias serves) is dropped and made anew, so re-running is safe."""
    serving = serving_indexes(es, model)
    versions = existing_versions(es, model)
    newest_serving = max((int(name.rsplit("-v", 1)[1]) for name in serving), default=0)
    for leftover in (v for v in versions if v > newest_serving):
        es.indices.delete(index=model.index_name(leftover))
    index = model.index_name(max([newest_serving, model.version - 1, *[v for v in versions if v <= newest_serving]]) + 1)
    es.indices.create(index=index, mappings=model.body()["mappings"],
                      settings={**index_settings(model, replicas), **BULK_LOAD_SETTINGS["index"]})
    return index


def restore_normal_settings(es: Elasticsearch, model: ReadModel, index: str) -> None:
    es.indices.put_settings(index=index, settings={"index": {**model.live_settings(), "translog": {"durability": None}}})
    es.indices.refresh(index=index)


def swap_alias(es: Elasticsearch, model: ReadModel, index: str) -> list[str]:
    """Point the alias at ``index`` alone, in one step. Returns the indexes it served before."""
    previous = serving_indexes(es, model)
    actions: list[dict[str, Any]] = [{"remove": {"index": old, "alias": model.alias}} for old in previous if old != index]
    actions.append({"add": {"index": index, "alias": model.alias, "is_write_index": True}})
    es.indices.update_aliases(actions=actions)
    return [old for old in previous if old != index]
