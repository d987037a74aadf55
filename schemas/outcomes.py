"""What became of a command, published on ``commands.outcomes`` keyed by command id."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


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
