"""`orderflow kibana import`: load the saved objects of ``dashboards/`` through Kibana's import API."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ops.launcher.errors import LauncherError

DEFAULT_URL = "http://127.0.0.1:5601"
DEFAULT_FILE = Path("dashboards/orderflow.ndjson")
IMPORT_PATH = "/api/saved_objects/_import"


@dataclass(frozen=True)
class ImportResult:
    """What Kibana answered: how many objects it imported, and one line per object it refused."""

    success_count: int
    errors: tuple[str, ...] = ()


def import_saved_objects(url: str, path: Path, *, overwrite: bool = False, timeout_s: float = 60.0) -> ImportResult:
    """POST ``path`` (an NDJSON export) to Kibana at ``url``; LauncherError when it cannot be read or sent."""
    response = _post(url, path.name, _read(path), overwrite, timeout_s)
    return _result(_json(response, url))


def summary(result: ImportResult, url: str) -> str:
    return f"imported {result.success_count} saved object(s) into Kibana at {url}"


def raise_for_errors(result: ImportResult) -> None:
    if result.errors:
        raise LauncherError(f"Kibana refused {len(result.errors)} saved object(s): " + "; ".join(result.errors))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise LauncherError(f"cannot read {path}: {error.strerror or error}") from error


def _post(url: str, filename: str, content: bytes, overwrite: bool, timeout_s: float) -> httpx.Response:
    try:
        response = httpx.post(
            url.rstrip("/") + IMPORT_PATH,
            params={"overwrite": "true"} if overwrite else None,
            headers={"kbn-xsrf": "true"},
            files={"file": (filename, content, "application/ndjson")},
            timeout=timeout_s,
        )
    except httpx.HTTPError as error:
        reason = _one_line(str(error)) or type(error).__name__
        raise LauncherError(f"Kibana is not reachable at {url}: {reason}") from error
    if response.status_code != 200:
        raise LauncherError(f"Kibana at {url} refused the import (HTTP {response.status_code}): {_message(response)}")
    return response


def _json(response: httpx.Response, url: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as error:
        raise LauncherError(f"Kibana at {url} answered the import with something other than JSON") from error
    if not isinstance(body, dict):
        raise LauncherError(f"Kibana at {url} answered the import with unexpected JSON: {_one_line(str(body))}")
    return body


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return _one_line(response.text) or response.reason_phrase
    message = body.get("message") if isinstance(body, dict) else None
    return _one_line(str(message or body))


def _result(body: dict[str, Any]) -> ImportResult:
    errors = tuple(_describe(error) for error in body.get("errors") or [])
    return ImportResult(success_count=int(body.get("successCount") or 0), errors=errors)


def _describe(error: dict[str, Any]) -> str:
    """One refused object: ``type id "title": why``."""
    title = (error.get("meta") or {}).get("title") or error.get("title")
    name = f'{error.get("type", "?")} {error.get("id", "?")}' + (f' "{title}"' if title else "")
    return f"{name}: {_reason(error.get('error') or {})}"


def _reason(error: dict[str, Any]) -> str:
    kind = error.get("type", "unknown")
    if kind == "conflict":
        return "already exists (use --overwrite to replace it)"
    if kind == "missing_references":
        missing = ", ".join(f"{ref.get('type')} {ref.get('id')}" for ref in error.get("references") or [])
        return f"missing references: {missing or '?'}"
    detail = error.get("message") or error.get("reason")
    return _one_line(f"{kind}: {detail}" if detail else kind)


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
