"""The compatibility rule: a model at the same schema version must read every record its committed schema allows."""

from typing import Annotated, Any, Literal

import pytest
from pydantic import Field, create_model

from schemas.compatibility import narrowing
from schemas.envelope import Payload

SHIPPED: dict[str, Any] = {
    "carrier": (Annotated[str, Field(max_length=100)], ...),
    "tracking_number": (str | None, None),
    "parcels": (int, ...),
    "service": (Literal["standard", "express"], "standard"),
    "country": (Annotated[str, Field(pattern=r"^[A-Z]{2}$")], ...),
}


def shipped(**changes: Any) -> dict[str, Any]:
    """The schema of a ``Shipped`` payload with fields changed, added, or removed (``None``)."""
    fields = {name: field for name, field in {**SHIPPED, **changes}.items() if field is not None}
    return create_model("Shipped", __base__=Payload, **fields).model_json_schema()


@pytest.mark.parametrize(("changes", "where"), [
    ({"tracking_number": None}, "tracking_number: removed"),
    ({"tracking_number": (str, ...)}, "required"),
    ({"weight_kg": (float, ...)}, "weight_kg: added"),
    ({"carrier": (Annotated[str, Field(max_length=50)], ...)}, "carrier.maxLength: 100 -> 50"),
    ({"parcels": (Annotated[int, Field(gt=0)], ...)}, "parcels.exclusiveMinimum: added 0"),
    ({"service": (Literal["express"], "express")}, "service.enum: removed"),
    ({"country": (Annotated[str, Field(pattern=r"^[A-Z]{3}$")], ...)}, "country.pattern"),
], ids=["removed field", "optional field now required", "new required field", "shorter string", "narrower range",
        "fewer values", "other pattern"])
def test_a_change_old_records_could_not_pass_is_refused_and_named(changes: dict[str, Any], where: str) -> None:
    problems = narrowing(shipped(), shipped(**changes))
    assert problems and where in " ".join(problems)


def test_a_change_that_lets_more_through_is_accepted() -> None:
    """A longer carrier, a parcel count as text too, another service, a new field with a default."""
    widened = shipped(carrier=(Annotated[str, Field(max_length=200)], ...), parcels=(int | str, ...),
                      service=(Literal["standard", "express", "freight"], "standard"), insured=(bool, False))
    assert narrowing(shipped(), widened) == []


def test_the_same_schema_is_accepted() -> None:
    assert narrowing(shipped(), shipped()) == []
