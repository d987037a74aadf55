"""What became of a command, published on ``commands.outcomes`` keyed by command id."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic_core import from_json


class OutcomeStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Rejection(BaseModel):
    """A command refused by the domain: a stable machine code and a sentence for people."""

    model_config = ConfigDict(frozen=True)

    code: str
    reason: str


class CommandOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    command_id: uuid.UUID
    command_type: str
    aggregate_id: str
    status: OutcomeStatus
    version: int | None = None
    events: list[dict[str, Any]] = []
    code: str | None = None
    reason: str | None = None
    decided_at: datetime


@dataclass(frozen=True)
class RawOutcome:
    """An outcome as published, with the few fields its readers count by; parsed whole only when asked for."""

    command_id: uuid.UUID
    command_type: str
    status: OutcomeStatus
    code: str | None
    raw: bytes

    @classmethod
    def of_json(cls, raw: bytes) -> "RawOutcome":
        """Raises ``ValueError`` for a record that is not an outcome."""
        fields = from_json(raw)
        try:
            return cls(uuid.UUID(fields["command_id"]), str(fields["command_type"]), OutcomeStatus(fields["status"]),
                       fields.get("code"), raw)
        except (KeyError, TypeError) as error:
            raise ValueError(f"not an outcome: {error}") from error

    @classmethod
    def of(cls, outcome: CommandOutcome) -> "RawOutcome":
        return cls(outcome.command_id, outcome.command_type, outcome.status, outcome.code,
                   outcome.model_dump_json().encode())

    def parsed(self) -> CommandOutcome:
        return CommandOutcome.model_validate_json(self.raw)
