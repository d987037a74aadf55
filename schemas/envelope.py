"""The envelope every record on every topic carries (DESIGN.md section 3)."""

import hashlib
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


_ENVELOPE_FIELDS = frozenset(Envelope.model_fields)
_set_slot = object.__setattr__


def envelope_of(payload: PayloadT, *, id: uuid.UUID, aggregate_id: str, version: int | None, occurred_at: datetime,
                command_id: uuid.UUID, correlation_id: uuid.UUID, actor: str) -> Envelope[PayloadT]:
    """An envelope of parts validated already, so not validated again, at the payload's current schema version.

    What ``model_construct`` makes of every field given, made directly: its walk over the fields (aliases,
    defaults) cost more than the rest of building an event."""
    model = type(payload)
    cls = envelope_type(model)
    envelope = cls.__new__(cls)
    _set_slot(envelope, "__dict__", {
        "id": id, "type": model.__name__, "schema_version": model.schema_version, "aggregate_id": aggregate_id,
        "version": version, "occurred_at": occurred_at, "command_id": command_id, "correlation_id": correlation_id,
        "actor": actor, "payload": payload,
    })
    _set_slot(envelope, "__pydantic_fields_set__", set(_ENVELOPE_FIELDS))
    _set_slot(envelope, "__pydantic_extra__", None)
    _set_slot(envelope, "__pydantic_private__", None)
    return envelope


_CLEARED = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)  # the version and variant bits
_VERSION_5 = (5 << 76) | (0x8000 << 48)


def name_uuid(namespace: uuid.UUID, name: str) -> uuid.UUID:
    """``uuid.uuid5(namespace, name)``, at half its cost (it imports ``sha1`` and takes the long way round the
    ``UUID`` constructor on every call)."""
    digest = hashlib.sha1(namespace.bytes + name.encode()).digest()
    return uuid.UUID(int=int.from_bytes(digest[:16]) & _CLEARED | _VERSION_5)


def event_id(command_id: uuid.UUID, version: int) -> uuid.UUID:
    """Deterministic: deciding the same command again yields byte-identical events."""
    return name_uuid(command_id, str(version))
