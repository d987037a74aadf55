"""Bytes on topics <-> envelopes with typed payloads."""

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from schemas.envelope import Envelope, Payload, envelope_type
from schemas.registry import MESSAGE_TYPES, UnknownMessageType, payload_model


class UndecodableRecord(ValueError):
    """A record that is not JSON, has an unknown type or fails its schema."""


class _MessageType(BaseModel):
    """Just the envelope's ``type``, read first to pick the payload model the record is validated with."""

    type: str


# Where a record names its type; our own records put it second. Only a guess: the envelope's ``type`` decides.
_TYPE_NAMED = re.compile(rb'"type"\s*:\s*"([A-Za-z]{1,64})"')


def decode(value: bytes | None, expected: tuple[type[Payload], ...] | None = None) -> Envelope[Payload]:
    """One validation for a well-formed record: its type is read off the bytes and checked against the envelope's
    ``type`` after validation; anything else takes the careful path, which says what is wrong."""
    if value is None:
        raise UndecodableRecord("record has no value")
    named = _TYPE_NAMED.search(value)
    model = MESSAGE_TYPES.get(named.group(1).decode()) if named else None
    if model is not None and (expected is None or model in expected):
        try:
            envelope = envelope_type(model).model_validate_json(value)
        except ValidationError:
            envelope = None
        if envelope is not None and envelope.type == model.__name__:
            return envelope
    return _decode_carefully(value, expected)


def _decode_carefully(value: bytes, expected: tuple[type[Payload], ...] | None) -> Envelope[Payload]:
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
