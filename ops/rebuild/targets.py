"""What each read model is rebuilt from, and which (id, version) pairs its index must hold afterwards."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from schemas.mappings import CUSTOMERS, INVENTORY, ORDER_EVENTS, ORDERS, ReadModel
from streams.projecting import Outputs
from streams.projection_spec import ProjectionSpec
from streams.records import IndexAction
from streams.specs import CUSTOMER_VIEW, INVENTORY_VIEW, ORDER_VIEW

Pair = tuple[str, int]


@dataclass(frozen=True)
class RebuildTarget:
    model: ReadModel
    spec: ProjectionSpec[Any]
    # From one folded view's key and version: the pairs its documents must have.
    expected: Callable[[str, int], Iterable[Pair]]
    # From one indexed hit (with _version and _source): its pair.
    found: Callable[[dict[str, Any]], Pair]
    source_fields: tuple[str, ...] = ()
    # From one action the replay wrote: its pair (what ``found`` gives for the document it indexes).
    written: Callable[[IndexAction], Pair] = lambda action: (action.doc_id, action.version)
    # What the projectors render for it: its documents only.
    outputs: Outputs = Outputs(event_documents=False, view_records=False)


def one_document_per_view(key: str, version: int) -> Iterable[Pair]:
    return [(key, version)]


def one_document_per_event(key: str, version: int) -> Iterable[Pair]:
    """A view at version n rendered one event document for each of versions 1..n."""
    return [(f"{key}@{number}", number) for number in range(1, version + 1)]


def by_document_id(hit: dict[str, Any]) -> Pair:
    return hit["_id"], int(hit["_version"])


def by_order_and_version(hit: dict[str, Any]) -> Pair:
    return f"{hit['_source']['order_id']}@{hit['_source']['version']}", int(hit["_version"])


def written_event(action: IndexAction) -> Pair:
    return f"{action.document['order_id']}@{action.document['version']}", action.version


TARGETS: dict[str, RebuildTarget] = {
    ORDERS.alias: RebuildTarget(ORDERS, ORDER_VIEW, one_document_per_view, by_document_id),
    ORDER_EVENTS.alias: RebuildTarget(ORDER_EVENTS, ORDER_VIEW, one_document_per_event, by_order_and_version,
                                      ("order_id", "version"), written_event,
                                      Outputs(view_documents=False, view_records=False)),
    CUSTOMERS.alias: RebuildTarget(CUSTOMERS, CUSTOMER_VIEW, one_document_per_view, by_document_id),
    INVENTORY.alias: RebuildTarget(INVENTORY, INVENTORY_VIEW, one_document_per_view, by_document_id),
}
