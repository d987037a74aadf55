"""Bytes on topics <-> envelopes with typed payloads, at the current schema version of their type.

``decode`` is the one way every reader (deciders, projectors, rebuild, dead-letter tools) reads a record, so a record
written at an older schema version is upcast here and nowhere else.
"""

import re
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import from_json, to_json

from schemas.envelope import Envelope, Payload, envelope_type
from schemas.registry import MESSAGE_TYPES, UnknownMessageType, payload_model
from schemas.upcasters import UPCASTERS
from schemas.upcasting import CannotUpcast


class UndecodableRecord(ValueError):
    """A record that is not JSON, has an unknown type or fails its schema."""


class _Header(BaseModel):
    """The envelope's ``type`` and ``schema_version``, read first to pick the payload model and the upcasters."""

    type: str
    schema_version: int | None = None


# Where a record names its type; our own records put it second. Only a guess: the envelope's ``type`` decides.
_TYPE_NAMED = re.compile(rb'"type"\s*:\s*"([A-Za-z]{1,64})"')


def decode(value: bytes | None, expected: tuple[type[Payload], ...] | None = None) -> Envelope[Payload]:
    """One validation for a well-formed record of the current version: its type is read off the bytes and checked
    against the envelope's ``type`` after validation; anything else takes the careful path, which upcasts a record
    of an older version and says what is wrong with a bad one."""
    if value is None:
        raise UndecodableRecord("record has no value")
    named = _TYPE_NAMED.search(value)
    model = MESSAGE_TYPES.get(named.group(1).decode()) if named else None
    if model is not None and (expected is None or model in expected):
        try:
            envelope = envelope_type(model).model_validate_json(value)
        except ValidationError:
            envelope = None
        # An older record may pass the current model and still mean something else: it is upcast all the same.
        if envelope is not None and envelope.type == model.__name__ and envelope.schema_version == model.schema_version:
            return envelope
    return _decode_carefully(value, expected)


def _decode_carefully(value: bytes, expected: tuple[type[Payload], ...] | None) -> Envelope[Payload]:
    try:
        header = _Header.model_validate_json(value)
        model = payload_model(header.type)
        if expected is not None and model not in expected:
            raise UnknownMessageType(f"{model.__name__} does not belong on this topic")
        if header.schema_version not in (None, model.schema_version):
            return _upcast(value, model, header.schema_version)
        return envelope_type(model).model_validate_json(value)
    except (ValidationError, UnknownMessageType, CannotUpcast, UnicodeDecodeError) as error:
        raise UndecodableRecord(_describe(error)) from error


def _upcast(value: bytes, model: type[Payload], version: int) -> Envelope[Payload]:
    """The record as the current version of its type has it: the payload through the upcasters, then validated as
    a record of that version would be."""
    record = from_json(value)
    payload = record.get("payload")
    if isinstance(payload, dict):
        payload = UPCASTERS.upcast(model.__name__, payload, version, model.schema_version)
    current = {**record, "schema_version": model.schema_version, "payload": payload}
    try:
        return envelope_type(model).model_validate_json(to_json(current))
    except ValidationError as error:
        read_as = f"{model.__name__} v{version} read as v{model.schema_version}"
        raise UndecodableRecord(f"{read_as}: {_describe(error)}") from error


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
