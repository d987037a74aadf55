"""Cursors are taken back only in the shape the sort gives them: one value of the mapped type per sort key."""

import base64

import pytest

from query_api.cursors import BadCursor, cursor_shape, decode_cursor, encode_cursor, next_cursor
from schemas.mappings import ORDERS

BY_DATE = cursor_shape([{"created_at": "desc"}, {"order_id": "asc"}], ORDERS)
BY_SCORE = cursor_shape([{"_score": "desc"}, {"order_id": "asc"}], ORDERS)
BY_MONEY = cursor_shape([{"total_amount": "asc"}, {"order_id": "asc"}], ORDERS)


def raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(("shape", "values"), [
    (BY_DATE, [1767225600000, "ORD-9"]),
    (BY_DATE, [-9223372036854775808, ""]),  # what Elasticsearch sorts a missing date as
    (BY_SCORE, [0.123, "ORD-9"]),
    (BY_MONEY, [19, "ORD-9"]),
    (BY_MONEY, [19.99, "ORD-9"]),
])
def test_the_values_a_page_ended_with_come_back_as_they_were(shape: tuple[object, ...], values: list[object]) -> None:
    assert decode_cursor(encode_cursor(values), shape) == values  # type: ignore[arg-type]  # shapes as objects


@pytest.mark.parametrize("cursor", [
    "W10",  # []
    "WzFlNDAwXQ",  # [1e400]
    raw('[1e400, "ORD-9"]'),
    raw('[NaN, "ORD-9"]'),
    raw('[9223372036854775808, "ORD-9"]'),  # past a long
    raw('[1767225600000.5, "ORD-9"]'),
    raw('[true, "ORD-9"]'),
    raw('[1767225600000, 7]'),
    raw('[1767225600000, null]'),
    raw('[1767225600000, "ORD-9", "extra"]'),
    raw('{"created_at": 1}'),
    raw("[" + "9" * 5000 + ', "ORD-9"]'),  # more digits than Python reads
    raw("[1767225600000, \"ORD-9\""),
    "not base64 !!",
    base64.urlsafe_b64encode(b"\xff\xfe[]").decode(),
])
def test_a_cursor_of_another_shape_is_refused(cursor: str) -> None:
    with pytest.raises(BadCursor, match="cursor is not one this API gave out"):
        decode_cursor(cursor, BY_DATE)


def test_a_score_must_be_a_finite_number() -> None:
    with pytest.raises(BadCursor):
        decode_cursor(raw('[Infinity, "ORD-9"]'), BY_SCORE)


def test_a_sort_on_a_field_outside_the_mapping_has_no_shape() -> None:
    with pytest.raises(KeyError):
        cursor_shape([{"no_such_field": "asc"}], ORDERS)


def test_only_a_full_page_has_a_next_cursor() -> None:
    hits = [{"sort": [2, "ORD-2"]}, {"sort": [1, "ORD-1"]}]
    assert next_cursor(hits, 2) == encode_cursor([1, "ORD-1"])
    assert next_cursor(hits, 3) is None
