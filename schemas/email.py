"""An email address, checked and normalised as pydantic's ``EmailStr`` does, remembered once checked.

Every order carries its customer's address through the command, the event and the projections, so the same
address is checked over and over; the check (email-validator, with IDNA rules for the domain) costs tens of
microseconds, the lookup of one already checked almost nothing.
"""

from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic.networks import validate_email

REMEMBERED = 65_536


@lru_cache(maxsize=REMEMBERED)
def normalized_email(value: str) -> str:
    """The address as ``EmailStr`` gives it; raises pydantic's error for an invalid one (never remembered)."""
    return validate_email(value)[1]


Email = Annotated[str, AfterValidator(normalized_email), WithJsonSchema({"type": "string", "format": "email"})]
