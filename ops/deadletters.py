"""`orderflow deadletter`: the dead-letter topic as lines of text, and the one-line errors of the CLI.

Reading and resending are ``common.deadletters``, which the command API's ``/deadletters`` routes use too.
"""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from common.deadletters import DeadLetterError, Entry, NoDeadLetter, NotResendable
from ops.launcher.errors import LauncherError

VALUE_PREVIEW_CHARS = 60

# What the CLI adds to an error's own words: how to go on from here.
HINTS: dict[type[DeadLetterError], str] = {
    NoDeadLetter: " (see `orderflow deadletter list`)",
    NotResendable: " (give a corrected one with --value-file, or --force)",
}


@contextmanager
def cli_errors() -> Iterator[None]:
    """Dead-letter errors as the CLI's one-line errors, with a hint where there is one."""
    try:
        yield
    except DeadLetterError as error:
        raise LauncherError(f"{error}{HINTS.get(type(error), '')}") from None


def read_value_file(path: str) -> bytes:
    """The corrected record, byte for byte, from a file or from standard input (``-``)."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise LauncherError(f"cannot read {path}: {error.strerror}") from None


def summary_line(entry: Entry) -> str:
    letter = entry.letter
    return "  ".join((
        str(entry.handle),
        _iso(entry.dead_at),
        f"{letter.source_topic}/{letter.partition}/{letter.offset}",
        f"key={letter.key or '-'}",
        f"error={_one_line(letter.error)}",
        f"value={_preview(entry)}",
    ))


def json_line(entry: Entry) -> str:
    """The whole dead letter; ``partition`` and ``offset`` are the source record's, ``handle`` is its own place."""
    return json.dumps({"handle": str(entry.handle), "dead_at": _iso(entry.dead_at), **entry.letter.model_dump()})


def _preview(entry: Entry) -> str:
    text = _one_line(entry.letter.value)
    if len(text) > VALUE_PREVIEW_CHARS:
        text = text[:VALUE_PREVIEW_CHARS - 1] + "…"
    return f"base64:{text}" if entry.letter.value_encoding == "base64" else text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
