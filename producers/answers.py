"""HTTP answers for commands: 202 accepted for processing, or the decision when the client waited."""

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from producers.commands import Sent
from schemas.outcomes import CommandOutcome, OutcomeStatus

CREATING_COMMANDS = {"CreateOrder", "RegisterCustomer"}


class CommandAccepted(BaseModel):
    command_id: uuid.UUID
    aggregate_id: str
    status_url: str


class CommandDecision(BaseModel):
    command_id: uuid.UUID
    aggregate_id: str
    status: OutcomeStatus
    version: int | None = None
    events: list[dict[str, Any]] = []
    code: str | None = None
    reason: str | None = None


def decision_of(outcome: CommandOutcome) -> CommandDecision:
    return CommandDecision.model_validate(outcome.model_dump(include=set(CommandDecision.model_fields)))


def decision_status_code(outcome: CommandOutcome) -> int:
    if outcome.status is OutcomeStatus.ACCEPTED:
        return 201 if outcome.command_type in CREATING_COMMANDS else 200
    return 404 if outcome.code == "not_found" else 409


def answer(sent: Sent, request: Request) -> JSONResponse:
    if sent.outcome is None:
        body = CommandAccepted(
            command_id=sent.command.id, aggregate_id=sent.command.aggregate_id,
            status_url=str(request.url_for("command_status", command_id=str(sent.command.id))),
        )
        return JSONResponse(body.model_dump(mode="json"), status_code=202)
    return JSONResponse(decision_of(sent.outcome).model_dump(mode="json"), status_code=decision_status_code(sent.outcome))
