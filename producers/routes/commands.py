"""The status of a command by id."""

import uuid

from fastapi import APIRouter, HTTPException, Request

from producers.answers import CommandDecision, decision_of

router = APIRouter(prefix="/commands", tags=["commands"])


@router.get("/{command_id}", name="command_status", response_model=CommandDecision)
async def command_status(command_id: uuid.UUID, request: Request) -> CommandDecision:
    outcome = request.app.state.outcomes.recent(command_id)
    if outcome is None:
        raise HTTPException(404, detail=f"no outcome is known for command {command_id}")
    return decision_of(outcome)
