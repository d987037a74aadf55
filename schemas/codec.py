"""Bytes on topics <-> envelopes with typed payloads."""

from typing import Any

from pydantic import BaseModel, ValidationError

from schemas.envelope import Envelope, Payload, envelope_type
from schemas.registry import UnknownMessageType, payload_model


class UndecodableRecord(ValueError):
    """A record that is not JSON, has an unknown type or fails its schema."""


class _MessageType(BaseModel):
    """Just the envelope's ``type``, read first to pick the payload model the record is validated with."""

    type: str


def decode(value: bytes | None, expected: tuple[type[Payload], ...] | None = None) -> Envelope[Payload]:
    if value is None:
        raise UndecodableRecord("record has no value")
    try:
        model = payload_model(_MessageType.model_validate_json(value).type)
        if expected is not None and model not in expected:
            raise UnknownMessageType(f"{model.__name__} does not belong on this topic")
        return envelope_type(model).model_validate_json(value)
    except (ValidationError, UnknownMessageType, UnicodeDecodeError) as error:
        raise UndecodableRecord(_describe(error)) from error


def decode_keyed(key: bytes | None, value: bytes | None, expected: tuple[type[Payload], ...]) -> Envelope[Payload]:
    """A record whose key, when it has one, must be its aggregate id: the partition it landed on depends on it."""
    envelope = decode(value, expected)
    if key is not None and key != envelope.aggregate_id.encode():
        raise UndecodableRecord(f"record key {key!r} is not the aggregate id {envelope.aggregate_id!r}")
    return envelope


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        return f"{where}: {first['msg']} ({error.error_count()} error(s))"
    return str(error)


def encode(envelope: Envelope[Any]) -> bytes:
    return envelope.model_dump_json(serialize_as_any=True).encode()
