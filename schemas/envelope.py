"""The envelope every record on every topic carries (DESIGN.md section 3)."""

import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

P = TypeVar("P", bound=BaseModel)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Payload(BaseModel):
    """Base of every command and event payload: frozen, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Envelope(BaseModel, Generic[P]):
    """A command or an event.

    For an event, ``version`` is the aggregate's sequence number (1..n, no gaps).
    For a command, ``version`` is the expected version of the aggregate
    (HTTP ``If-Match``) or ``None`` when the command accepts any version.
    """

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    type: str
    schema_version: int = 1
    aggregate_id: str = Field(min_length=1, max_length=64)
    version: int | None = Field(None, ge=0)
    occurred_at: AwareDatetime
    command_id: uuid.UUID
    correlation_id: uuid.UUID
    actor: str
    payload: P

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


RawEnvelope = Envelope[Any]


@cache
def envelope_type(model: type[P]) -> type[Envelope[P]]:
    """``Envelope[model]``, built once: pydantic only keeps parametrised models while something references them,
    and building one again costs milliseconds."""
    return Envelope[model]  # type: ignore[valid-type]


def event_id(command_id: uuid.UUID, version: int) -> uuid.UUID:
    """Deterministic: deciding the same command again yields byte-identical events."""
    return uuid.uuid5(command_id, str(version))
