"""A record that could not be processed, kept with its original bytes and where it came from."""

from schemas.envelope import Payload


class DeadLetter(Payload):
    source_topic: str
    partition: int
    offset: int
    key: str | None
    value: str
    value_encoding: str  # "utf-8" or "base64"
    error: str
