"""Shared rejection helpers; every rejection has a stable code and a sentence for people."""

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from schemas.envelope import Payload
from schemas.outcomes import Rejection

S = TypeVar("S")

Decision = list[Payload] | Rejection


class Evolved(list[Payload], Generic[S]):
    """Decided events with the states they lead to from ``start``, for a rule that had to evolve them to decide:
    whoever applies them to ``start`` can take ``states`` instead of evolving them again."""

    def __init__(self, events: Iterable[Payload], start: S, states: Iterable[S]) -> None:
        super().__init__(events)
        self.start = start
        self.states = tuple(states)


def reject(code: str, reason: str) -> Rejection:
    return Rejection(code=code, reason=reason)


def version_conflict(expected: int, actual: int) -> Rejection:
    return reject("version_conflict", f"expected version {expected}, the aggregate is at version {actual}")


def check_expected_version(expected: int | None, actual: int) -> Rejection | None:
    if expected is None or expected == actual:
        return None
    return version_conflict(expected, actual)


def route_command(
    state: Any, command: Payload, *, creates: type[Payload], create: Callable[[Any, Any], Decision],
    existing: Callable[[Any, Any], Decision], noun: str, id_field: str,
) -> Decision:
    """The creating command goes to ``create``; any other needs an existing aggregate."""
    if isinstance(command, creates):
        return create(state, command)
    if state is None:
        return reject("not_found", f"{noun} {getattr(command, id_field, '')} does not exist")
    return existing(command, state)
