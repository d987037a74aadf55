"""Read-model mappings agree with their documents; aliases move only forward."""

import pytest

from domain.order import OrderStatus
from ops.admin.indexes import index_version, is_outdated
from schemas.documents import CustomerDocument, FavouriteProduct
from schemas.json_schemas import DOCUMENTS
from schemas.mappings import CUSTOMERS, ORDER_STATUSES, ReadModel

OLD = ReadModel("customers", 1, {})


def test_every_customer_document_field_is_mapped_as_the_strict_mapping_demands() -> None:
    properties = CUSTOMERS.properties
    assert set(CustomerDocument.model_fields) == set(properties)
    assert set(FavouriteProduct.model_fields) == set(properties["favourite_products"]["properties"])


@pytest.mark.parametrize(("read_model", "document"), DOCUMENTS, ids=[model.alias for model, _ in DOCUMENTS])
def test_every_document_field_is_mapped(read_model: ReadModel, document: type) -> None:
    assert set(document.model_fields) == set(read_model.properties)


def test_every_order_status_has_a_count_in_the_customer_mapping() -> None:
    counts = CUSTOMERS.properties["orders_by_status"]
    assert set(ORDER_STATUSES) == {status.value for status in OrderStatus} == set(counts["properties"])
    assert counts["dynamic"] == "strict" and CUSTOMERS.body()["mappings"]["dynamic"] == "strict"


def test_index_versions_are_read_from_versioned_names_only() -> None:
    assert index_version(CUSTOMERS, "customers-v12") == 12
    assert index_version(CUSTOMERS, "customers-v2-rebuild") is None
    assert index_version(CUSTOMERS, "orders-v2") is None


def test_an_alias_moves_only_from_older_versions() -> None:
    assert is_outdated(CUSTOMERS, [])
    assert is_outdated(CUSTOMERS, [OLD.index_name()])
    assert not is_outdated(CUSTOMERS, [CUSTOMERS.index_name()])
    assert not is_outdated(OLD, [CUSTOMERS.index_name()])
    assert not is_outdated(CUSTOMERS, ["customers-hand-made"])
