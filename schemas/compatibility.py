"""Whether a model still reads every record (or document) that its committed schema of the same version allows.

jsoncompat judges the two JSON Schemas as a reader would (a removed or newly required field, a narrowed type, range
or set of values). It cannot compare regular expressions or formats, so a ``pattern`` or ``format`` added or
changed where both schemas have the same place counts as narrowing here. Validators a schema cannot show (such as
``UpdateCustomer`` needing a name or an email) are left to the person who changes them.
"""

import json
from collections.abc import Iterator
from typing import Any

import jsoncompat

# Keywords jsoncompat does not judge; any change to one may refuse values the old schema allowed.
UNJUDGED = ("pattern", "format")
# Keywords that describe and never refuse: left out of the differences shown.
ANNOTATIONS = ("title", "description", "examples")
# Keywords whose keys are names (of fields, of definitions), not keywords.
NAME_MAPS = ("properties", "$defs")


def narrowing(committed: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What keeps ``current`` from reading everything ``committed`` allows; empty when it reads it all."""
    if not jsoncompat.check_compat(json.dumps(committed), json.dumps(current), "deserializer"):
        changed = "; ".join(differences(committed, current))
        return [f"refuses values the committed schema allows; it differs at {changed}"]
    return [f"{path}: {json.dumps(old)} -> {json.dumps(new)} (old values may not match)"
            for path, old, new in _unjudged_changes(committed, current)]


def differences(old: Any, new: Any, path: str = "$", names: bool = False) -> Iterator[str]:
    """Where two schemas differ, annotations aside, as ``path: old -> new``. ``names``: the keys are names."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(key for key in new if key not in old)]:
            if key in ANNOTATIONS and not names:
                continue
            if key not in new:
                yield f"{path}.{key}: removed"
            elif key not in old:
                yield f"{path}.{key}: added {json.dumps(new[key])}"
            else:
                yield from differences(old[key], new[key], f"{path}.{key}", key in NAME_MAPS and not names)
    elif _same_length_lists(old, new):
        for index, (old_item, new_item) in enumerate(zip(old, new, strict=True)):
            yield from differences(old_item, new_item, f"{path}[{index}]")
    elif old != new:
        yield f"{path}: {json.dumps(old)} -> {json.dumps(new)}"


def _unjudged_changes(old: Any, new: Any, path: str = "$", names: bool = False) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in () if names else UNJUDGED:
            if key in new and old.get(key) != new[key]:
                yield f"{path}.{key}", old.get(key), new[key]
        for key in sorted(old.keys() & new.keys()):
            yield from _unjudged_changes(old[key], new[key], f"{path}.{key}", key in NAME_MAPS and not names)
    elif _same_length_lists(old, new):
        for index, (old_item, new_item) in enumerate(zip(old, new, strict=True)):
            yield from _unjudged_changes(old_item, new_item, f"{path}[{index}]")


def _same_length_lists(old: Any, new: Any) -> bool:
    """Lists of schemas (``anyOf``) compared item by item; other lists (``required``, ``enum``) as values."""
    return (isinstance(old, list) and isinstance(new, list) and len(old) == len(new)
            and all(isinstance(item, dict) for item in (*old, *new)))
