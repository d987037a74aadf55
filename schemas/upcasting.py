"""Upcasters: each turns the payload of one message type at one schema version into the payload of the next.

Keyed by (type, schema_version); a payload several versions behind goes through every step up to the current one
(v1 -> v2 -> v3). Steps work on the payload as JSON (a dict): the model of an old version no longer exists.
"""

from collections.abc import Callable
from typing import Any

JsonPayload = dict[str, Any]
Upcaster = Callable[[JsonPayload], JsonPayload]


class CannotUpcast(ValueError):
    """A payload that cannot be brought to the current version: newer than this code, no step, or a step failed."""


class Upcasters:
    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: the step from ``from_version`` to ``from_version + 1`` of ``type_name``."""
        def add(step: Upcaster) -> Upcaster:
            if (type_name, from_version) in self._steps:
                raise ValueError(f"{type_name} v{from_version} already has an upcaster")
            self._steps[(type_name, from_version)] = step
            return step
        return add

    def registered(self, type_name: str, from_version: int) -> bool:
        return (type_name, from_version) in self._steps

    def upcast(self, type_name: str, payload: JsonPayload, version: int, current: int) -> JsonPayload:
        """``payload`` of ``version`` as the ``current`` version of ``type_name`` has it."""
        if version > current:
            raise CannotUpcast(f"{type_name} v{version} is newer than this code reads (v{current}): upgrade the reader")
        for step_from in range(version, current):
            step = self._steps.get((type_name, step_from))
            if step is None:
                raise CannotUpcast(f"no upcaster registered for {type_name} v{step_from} -> v{step_from + 1}")
            try:
                payload = step(payload)
            except Exception as error:  # noqa: BLE001 - whatever an unforeseen old record makes a step raise
                failure = f"{type(error).__name__}: {error}"
                raise CannotUpcast(f"upcasting {type_name} v{step_from} failed: {failure}") from error
        return payload
