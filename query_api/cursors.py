"""Paging cursors: the sort values of a page's last hit, handed out opaque and taken back only in the shape that
the page's sort gives them, so a forged cursor is refused here instead of failing in Elasticsearch."""

import base64
import binascii
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from schemas.mappings import ReadModel

SortSpec = Sequence[dict[str, Any]]
ValueCheck = Callable[[Any], bool]

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
NOT_OURS = "cursor is not one this API gave out"


class BadCursor(ValueError):
    pass


def _long(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and LONG_MIN <= value <= LONG_MAX


def _finite_number(value: Any) -> bool:
    return _long(value) or (isinstance(value, float) and math.isfinite(value))


def _text(value: Any) -> bool:
    return isinstance(value, str)


# What Elasticsearch gives as the sort value of a field of each mapping type: dates as epoch milliseconds.
CHECKS_BY_TYPE: dict[str, ValueCheck] = {"date": _long, "long": _long, "integer": _long, "double": _finite_number,
                                         "keyword": _text}


def _mapped_type(model: ReadModel, field: str) -> str:
    properties: dict[str, Any] = model.properties
    *parents, leaf = field.split(".")
    for parent in parents:
        properties = properties[parent]["properties"]
    return properties[leaf]["type"]


def cursor_shape(sort: SortSpec, model: ReadModel) -> tuple[ValueCheck, ...]:
    """One check per sort key; ``_score`` is a finite number. Raises ``KeyError`` for a field not in the mapping."""
    fields = [next(iter(key)) for key in sort]
    return tuple(_finite_number if field == "_score" else CHECKS_BY_TYPE[_mapped_type(model, field)]
                 for field in fields)


def encode_cursor(sort_values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(sort_values).encode()).decode().rstrip("=")


def next_cursor(hits: list[dict[str, Any]], size: int) -> str | None:
    """The cursor after a full page of hits (sorted, so each has ``sort`` values); ``None`` after a shorter one."""
    return encode_cursor(hits[-1]["sort"]) if len(hits) == size else None


def decode_cursor(cursor: str, shape: Sequence[ValueCheck]) -> list[Any]:
    """The sort values in ``cursor``; ``BadCursor`` unless they are one value of the right kind per sort key."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as error:  # also undecodable bytes and numbers too long to read
        raise BadCursor(f"{NOT_OURS}: not base64-encoded JSON") from error
    if not isinstance(values, list) or len(values) != len(shape):
        raise BadCursor(f"{NOT_OURS}: this sort pages with {len(shape)} value(s)")
    if not all(check(value) for check, value in zip(shape, values, strict=True)):
        raise BadCursor(f"{NOT_OURS}: a value does not fit this sort")
    return values
