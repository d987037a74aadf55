"""Money is a Decimal amount, serialised as a string ("1059.97"), never a float."""

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

CENT = Decimal("0.01")


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def money_text(amount: Decimal) -> str:
    """An amount as ``Money`` serialises it."""
    return str(quantize(amount))


Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2, allow_inf_nan=False),
    PlainSerializer(money_text, return_type=str, when_used="always"),
]
PositiveMoney = Annotated[Money, Field(gt=0)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
