"""API keys: ``Authorization: Bearer <key>``. With no keys configured every caller is ``anonymous``."""

import hmac
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from fastapi import HTTPException, Request

from common.settings import ApiKey, Scope

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Caller:
    name: str


def caller_of(authorization: str | None, keys: Mapping[str, ApiKey], *scopes: Scope) -> Caller:
    """The caller a request comes from; 401 without a known key, 403 when the key has none of ``scopes``."""
    if not keys:
        return Caller(ANONYMOUS)
    token = _bearer_token(authorization)
    if token is None:
        raise _unauthorized("an API key is required: Authorization: Bearer <key>")
    for name, key in keys.items():
        if hmac.compare_digest(key.key.get_secret_value().encode(), token.encode()):
            if key.scopes.isdisjoint(scopes):
                wanted = " or ".join(repr(scope) for scope in scopes)
                raise HTTPException(403, detail=f"API key {name!r} does not have the {wanted} scope")
            return Caller(name)
    raise _unauthorized("unknown API key")


def _bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    kind, _, token = authorization.partition(" ")
    return token.strip() or None if kind.lower() == "bearer" else None


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def require(*scopes: Scope) -> Callable[[Request], Awaitable[Caller]]:
    """A dependency that authenticates the request for any of ``scopes`` against the app's settings
    (``async``, so that it runs on the event loop instead of hopping to the thread pool)."""

    async def dependency(request: Request) -> Caller:
        return authenticate(request, *scopes)

    return dependency


def authenticate(request: Request, *scopes: Scope) -> Caller:
    """The request's caller, for any of ``scopes``, against the app's settings; kept on ``request.state``."""
    caller = caller_of(request.headers.get("authorization"), request.app.state.settings.api_keys, *scopes)
    request.state.caller = caller
    return caller
