"""The envelope every record on every topic carries (DESIGN.md section 3)."""

import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

P = TypeVar("P", bound=BaseModel)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Payload(BaseModel):
    """Base of every command and event payload: frozen, unknown fields refused.

    ``schema_version`` is the version of the payload's shape that this code writes. A record of an older version is
    read through the upcasters registered for its type (``schemas.upcasters``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: ClassVar[int] = 1


PayloadT = TypeVar("PayloadT", bound=Payload)


def current_schema_version(fields: dict[str, Any]) -> int:
    """The version this code writes of the envelope's ``type`` (a field validated before ``schema_version``)."""
    from schemas.registry import MESSAGE_TYPES  # the registry's models import this module

    model = MESSAGE_TYPES.get(fields.get("type", ""))
    return model.schema_version if model is not None else 1


class Envelope(BaseModel, Generic[P]):
    """A command or an event.

    For an event, ``version`` is the aggregate's sequence number (1..n, no gaps).
    For a command, ``version`` is the expected version of the aggregate
    (HTTP ``If-Match``) or ``None`` when the command accepts any version.
    """

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    type: str
    # Of the payload's shape; left out, the version this code writes of ``type``.
    schema_version: int = Field(default_factory=current_schema_version, ge=1)
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
    return Envelope[model]  # type: ignore[valid-type]  # a type argument known at run time only: pydantic builds it


def envelope_of(payload: PayloadT, **fields: Any) -> Envelope[PayloadT]:
    """An envelope of parts validated already, so not validated again, at the payload's current schema version (given
    here: the default would cost a signature inspection per envelope)."""
    model = type(payload)
    return envelope_type(model).model_construct(
        type=model.__name__, schema_version=model.schema_version, payload=payload, **fields)


def event_id(command_id: uuid.UUID, version: int) -> uuid.UUID:
    """Deterministic: deciding the same command again yields byte-identical events."""
    return uuid.uuid5(command_id, str(version))
