"""The inventory read view: one SKU's stock levels as its latest event left them. Pure.

Every stock event carries the levels after it, so the view copies them and adds nothing up.
"""

from dataclasses import dataclass
from datetime import datetime

from schemas.documents import InventoryDocument
from schemas.envelope import Envelope, Payload
from schemas.inventory import StockLevels, StockReceived, StockReserved
from schemas.mappings import INVENTORY
from streams.records import IndexAction


@dataclass(frozen=True)
class InventoryView:
    sku: str
    levels: StockLevels
    updated_at: datetime
    version: int
    product_name: str | None = None


def fold_inventory_view(view: InventoryView | None, event: Envelope[Payload]) -> InventoryView:
    """Apply the next event. The caller has checked ``event.version == view.version + 1``."""
    return InventoryView(
        sku=event.aggregate_id, levels=event.payload.levels,  # type: ignore[attr-defined]  # every stock event has levels
        updated_at=event.occurred_at, version=event.version or 0,
        product_name=_product_name(view.product_name if view is not None else None, event.payload),
    )


def _product_name(current: str | None, payload: Payload) -> str | None:
    """As the stock names it: a receipt's name replaces it, an order line's name only fills a missing one."""
    if isinstance(payload, StockReceived) and payload.product_name:
        return payload.product_name
    if isinstance(payload, StockReserved):
        return current or payload.product_name
    return current


def inventory_view_version(view: InventoryView) -> int:
    return view.version


def inventory_document(view: InventoryView) -> InventoryDocument:
    return InventoryDocument(
        sku=view.sku, product_name=view.product_name, **view.levels.model_dump(), updated_at=view.updated_at,
        version=view.version,
    )


def inventory_documents(view: InventoryView) -> list[IndexAction]:
    document = inventory_document(view)
    return [IndexAction(INVENTORY.alias, document.sku, document.version, document.model_dump(mode="json"))]
