"""Requests waiting for their command's decision: the part of an ``OutcomeFeed`` that does not depend on where the
outcomes come from (Kafka in ``producers.outcomes``, memory in ``producers.memory``)."""

import asyncio
import uuid

from producers.ports import OutcomeStore
from schemas.outcomes import CommandOutcome, RawOutcome


class OutcomeWaiters:
    """Touched on the event loop only. An outcome is saved in the store before its wake-up is scheduled, so it is
    either in the store when a request asks for it or wakes the request."""

    def __init__(self, store: OutcomeStore) -> None:
        self._store = store
        self._waiters: dict[uuid.UUID, list[asyncio.Future[CommandOutcome]]] = {}

    def expect(self, command_id: uuid.UUID) -> asyncio.Future[CommandOutcome]:
        """Register interest before publishing, so a fast decision is not missed."""
        future: asyncio.Future[CommandOutcome] = asyncio.get_running_loop().create_future()
        known = self._store.outcome(command_id)
        if known is not None:
            future.set_result(known)
        else:
            self._waiters.setdefault(command_id, []).append(future)
        return future

    def forget(self, command_id: uuid.UUID, future: asyncio.Future[CommandOutcome]) -> None:
        waiting = self._waiters.get(command_id, [])
        if future in waiting:
            waiting.remove(future)
        if not waiting:
            self._waiters.pop(command_id, None)

    def wake(self, outcomes: list[RawOutcome]) -> None:
        """Only an outcome someone waits for is parsed whole."""
        for outcome in outcomes:
            waiting = self._waiters.pop(outcome.command_id, None)
            if not waiting:
                continue
            parsed = outcome.parsed()
            for future in waiting:
                if not future.done():
                    future.set_result(parsed)
