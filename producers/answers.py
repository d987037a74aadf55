"""HTTP answers for commands: 202 accepted for processing, or the decision when the client waited."""

import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from common.web.errors import field_error
from producers.commands import IdempotencyMismatch, PublishFailed, Sent
from schemas.outcomes import CommandOutcome, OutcomeStatus


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


ANSWERS: dict[int | str, dict[str, Any]] = {
    202: {"model": CommandAccepted, "description": "Accepted for processing (or the wait ran out)"},
    200: {"model": CommandDecision, "description": "Accepted by the domain (with ?wait)"},
    404: {"model": CommandDecision, "description": "Unknown aggregate (with ?wait)"},
    409: {"model": CommandDecision, "description": "Refused by a rule or a version conflict (with ?wait)"},
    401: {"description": "API keys are configured and none (or an unknown one) was given"},
    403: {"description": "The API key lacks the write scope"},
    413: {"description": "The body is larger than the configured limit"},
    422: {"description": "Invalid body, header or parameter (names the field), or an Idempotency-Key reused with another body"},
    503: {"description": "Kafka did not confirm the command; nothing was accepted, retry"},
}
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"model": CommandDecision, "description": "Accepted, and the command created its aggregate (with ?wait)"},
}


def decision_of(outcome: CommandOutcome) -> CommandDecision:
    return CommandDecision.model_validate(outcome.model_dump(include=set(CommandDecision.model_fields)))


def created_its_aggregate(outcome: CommandOutcome) -> bool:
    """The command's first event is its aggregate's first: a create, or the first receipt of a SKU."""
    return bool(outcome.events) and outcome.events[0].get("version") == 1


def decision_status_code(outcome: CommandOutcome) -> int:
    if outcome.status is OutcomeStatus.ACCEPTED:
        return 201 if created_its_aggregate(outcome) else 200
    return 404 if outcome.code == "not_found" else 409


MAX_REMEMBERED_BASES = 64


class StatusUrls:
    """Where a command's status is read: the request's base URL and the status route's path.

    The path is found once; the base URL (it follows the Host header) once per distinct host.
    """

    def __init__(self, path_prefix: str) -> None:
        self._path_prefix = path_prefix
        self._prefixes: dict[tuple[str, str | None, str], str] = {}

    def prefix(self, request: Request) -> str:
        key = (request.scope["scheme"], request.headers.get("host"), request.scope.get("root_path", ""))
        found = self._prefixes.get(key)
        if found is None:
            if len(self._prefixes) >= MAX_REMEMBERED_BASES:  # hosts are chosen by clients: keep a bounded few
                self._prefixes.clear()
            found = self._prefixes[key] = str(request.base_url).rstrip("/") + self._path_prefix
        return found


def status_url_prefix(request: Request) -> str:
    status_urls: StatusUrls = request.app.state.status_urls
    return status_urls.prefix(request)


def answer(sent: Sent, request: Request) -> JSONResponse:
    command = sent.command
    if sent.outcome is None:
        body = {"command_id": command.id_text, "aggregate_id": command.aggregate_id,
                "status_url": status_url_prefix(request) + command.id_text}
        return JSONResponse(body, status_code=202)
    return JSONResponse(decision_of(sent.outcome).model_dump(mode="json"), status_code=decision_status_code(sent.outcome))


IDEMPOTENCY_LOCATION = ("header", "Idempotency-Key")


def install_command_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(IdempotencyMismatch)
    async def idempotency_mismatch(request: Request, error: IdempotencyMismatch) -> JSONResponse:
        return JSONResponse({"detail": [field_error(IDEMPOTENCY_LOCATION, str(error))]}, status_code=422)

    @app.exception_handler(PublishFailed)
    async def publish_failed(request: Request, error: PublishFailed) -> JSONResponse:
        return JSONResponse({"detail": f"the command was not stored by Kafka, retry: {error}"}, status_code=503,
                            headers={"Retry-After": "1"})
