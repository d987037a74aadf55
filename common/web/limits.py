"""Request bodies above a configured size are refused with 413 before they reach a route.

A client that sends its whole body before reading the answer (most do, urllib and requests among them) would
see the connection reset instead of the 413 if the server answered and closed with the body still unread. So
the rest of a too-large body is read and dropped first, up to ``max_discarded_bytes``; a body larger than that,
or one announced with ``Expect: 100-continue`` (whose client waits before sending it), is answered at once.
"""

import json
from collections.abc import AsyncIterable, AsyncIterator, Mapping

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """An HTTPException, so FastAPI's body reading lets it through and answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=_too_large(limit))


class BodyLimit:
    """Checks ``Content-Length`` and counts the bytes actually received (chunked bodies have no length).

    ``streamed`` paths read their body while answering: only their declared length is checked
    here, and they count the bytes themselves.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, streamed: Mapping[str, int] | None = None,
                 max_discarded_bytes: int = 64 * 1_048_576) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = dict(streamed or {})
        self.max_discarded_bytes = max_discarded_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = self.streamed.get(path, self.max_bytes)
        declared = _declared_length(scope)
        if declared > limit:
            if declared <= self.max_discarded_bytes and not _expects_continue(scope):
                await discard(_body_pieces(receive), self.max_discarded_bytes)
            await _refuse(send, limit)
            return
        if path in self.streamed:
            await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = too_large = body_ended = False

        async def counting_receive() -> Message:
            nonlocal received, too_large, body_ended
            message = await receive()
            received += len(message.get("body", b""))
            body_ended = message["type"] != "http.request" or not message.get("more_body", False)
            if received > limit:
                too_large = True
                raise BodyTooLarge(limit)
            return message

        async def drain_once() -> None:
            nonlocal body_ended
            if too_large and not body_ended:
                body_ended = True
                await discard(_body_pieces(receive), self.max_discarded_bytes)

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                await drain_once()  # the 413 answered by an exception handler further in
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await drain_once()
            await _refuse(send, limit)


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value)
    return None


def _declared_length(scope: Scope) -> int:
    value = _header(scope, b"content-length")
    return int(value) if value is not None and value.isdigit() else 0


def _expects_continue(scope: Scope) -> bool:
    return (_header(scope, b"expect") or b"").lower() == b"100-continue"


async def _body_pieces(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


async def discard(body: AsyncIterable[bytes], max_bytes: int) -> bool:
    """Reads and drops the rest of a request body, at most ``max_bytes`` of it; whether the body ended within them."""
    dropped = 0
    async for piece in body:
        dropped += len(piece)
        if dropped > max_bytes:
            return False
    return True


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": _too_large(limit)}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _too_large(limit: int) -> str:
    return f"request body is larger than {limit} bytes"
