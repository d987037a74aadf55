"""The compatibility rule: a model at the same schema version must read every record its committed schema allows."""

from typing import Annotated, Any, Literal

import pytest
from pydantic import Field

from schemas.compatibility import narrowing
from schemas.envelope import Payload


class Shipped(Payload):
    carrier: Annotated[str, Field(max_length=100)]
    tracking_number: str | None = None
    parcels: int
    service: Literal["standard", "express"] = "standard"
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class WithoutTracking(Payload):
    carrier: Annotated[str, Field(max_length=100)]
    parcels: int
    service: Literal["standard", "express"] = "standard"
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class TrackingRequired(Payload):
    carrier: Annotated[str, Field(max_length=100)]
    tracking_number: str
    parcels: int
    service: Literal["standard", "express"] = "standard"
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class WithWeight(Payload):
    carrier: Annotated[str, Field(max_length=100)]
    tracking_number: str | None = None
    parcels: int
    service: Literal["standard", "express"] = "standard"
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    weight_kg: float


class ShorterCarrier(Payload):
    carrier: Annotated[str, Field(max_length=50)]
    tracking_number: str | None = None
    parcels: int
    service: Literal["standard", "express"] = "standard"
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class PositiveParcels(Payload):
    carrier: Annotated[str, Field(max_length=100)]
    tracking_number: str | None = None
    parcels: Annotated[int, Field(gt=0)]
    service: Literal["standard", "express"] = "standard"
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class ExpressOnly(Payload):
    carrier: Annotated[str, Field(max_length=100)]
    tracking_number: str | None = None
    parcels: int
    service: Literal["express"] = "express"
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class CountryOfThree(Payload):
    carrier: Annotated[str, Field(max_length=100)]
    tracking_number: str | None = None
    parcels: int
    service: Literal["standard", "express"] = "standard"
    country: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Widened(Payload):
    """Every change here lets more through: a longer carrier, any parcel count as text too, another service, a new
    optional field."""

    carrier: Annotated[str, Field(max_length=200)]
    tracking_number: str | None = None
    parcels: int | str
    service: Literal["standard", "express", "freight"] = "standard"
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    insured: bool = False


def schema(model: type[Payload]) -> dict[str, Any]:
    return model.model_json_schema()


@pytest.mark.parametrize(("changed", "where"), [
    (WithoutTracking, "tracking_number: removed"),
    (TrackingRequired, "required"),
    (WithWeight, "weight_kg: added"),
    (ShorterCarrier, "carrier.maxLength: 100 -> 50"),
    (PositiveParcels, "exclusiveMinimum"),
    (ExpressOnly, "service.enum"),
    (CountryOfThree, "country.pattern"),
], ids=["removed field", "optional field now required", "new required field", "shorter string", "narrower range",
        "fewer values", "other pattern"])
def test_a_change_old_records_could_not_pass_is_refused_and_named(changed: type[Payload], where: str) -> None:
    problems = narrowing(schema(Shipped), schema(changed))
    assert problems and where in " ".join(problems)


def test_a_change_that_lets_more_through_is_accepted() -> None:
    assert narrowing(schema(Shipped), schema(Widened)) == []


def test_the_same_schema_is_accepted() -> None:
    assert narrowing(schema(Shipped), schema(Shipped)) == []
