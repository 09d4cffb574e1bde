"""Optional API key, checked on every request (the docs and the health endpoint included).

Clients send it as OpenAI's ``Authorization: Bearer KEY`` or as ``X-API-Key: KEY``. The check
is a middleware rather than a route dependency so that no route, present or future, can be
reached without it.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

API_KEY_ENV = "EMOTTS_API_KEY"


def presented_key(request: Request) -> str | None:
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    return request.headers.get("x-api-key")


class ApiKeyMiddleware:
    """Pure ASGI middleware (streamed responses pass through untouched)."""

    def __init__(self, app: ASGIApp, api_key: str) -> None:
        self.app = app
        self._key = api_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = presented_key(Request(scope))
        # compare_digest: the time taken does not reveal how much of a guess was right.
        if key is None or not hmac.compare_digest(key.encode(), self._key):
            reason = "no API key given" if key is None else "the API key is wrong"
            response = JSONResponse(
                {
                    "error": {
                        "message": f"{reason}; send 'Authorization: Bearer KEY' or "
                        "'X-API-Key: KEY' with the key the server was started with",
                        "type": "authentication_error",
                        "param": None,
                        "code": "invalid_api_key",
                    }
                },
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
