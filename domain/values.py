"""Copying the frozen dataclasses of the domain and the read views with some fields changed."""

from typing import Any, TypeVar

T = TypeVar("T")


def changed(value: T, **changes: Any) -> T:
    """``dataclasses.replace`` without running ``__init__`` again (a fifth of its cost): for the frozen dataclasses
    here, which have no ``__post_init__`` and no slots, copying the fields is all ``replace`` does."""
    fields = value.__dataclass_fields__  # type: ignore[attr-defined]  # T is any dataclass; typing has no public bound for one
    if not changes.keys() <= fields.keys():
        unknown = changes.keys() - fields.keys()
        raise TypeError(f"{type(value).__name__} has no field {', '.join(sorted(unknown))}")
    copy = object.__new__(type(value))
    copy.__dict__.update(value.__dict__)
    copy.__dict__.update(changes)
    return copy
