"""Records that cannot be processed go to the dead-letter topic with their original bytes."""

import base64
import uuid
from typing import Any

from schemas.deadletter import DeadLetter
from schemas.envelope import Envelope, utc_now

DEADLETTER_ACTOR = "system:deadletter"


def dead_letter(
    topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None, error: str
) -> Envelope[DeadLetter]:
    raw = value or b""
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(raw).decode("ascii"), "base64"
    source = f"{topic}/{partition}/{offset}"
    record_id = uuid.uuid5(uuid.NAMESPACE_URL, f"orderflow:deadletter:{source}")
    return Envelope[DeadLetter](
        id=record_id, type="DeadLetter", aggregate_id=(key.decode("utf-8", "replace") if key else source)[:64] or source,
        version=None, occurred_at=utc_now(), command_id=record_id, correlation_id=record_id, actor=DEADLETTER_ACTOR,
        payload=DeadLetter(
            source_topic=topic, partition=partition, offset=offset,
            key=key.decode("utf-8", "replace") if key else None, value=text, value_encoding=encoding, error=error,
        ),
    )


def dead_letter_of_message(message: Any, error: str) -> Envelope[DeadLetter]:
    """From a Faust message (topic, partition, offset, key, value)."""
    return dead_letter(message.topic, message.partition, message.offset, message.key, message.value, error)

