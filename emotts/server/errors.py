"""Every failure as a JSON error in OpenAI's shape; no failure takes the server down.

400: the request's content is wrong (an `EmottsError` from the pipeline: emotion, markup,
controls, voice, format); 422: the body does not match the schema (missing or mistyped field,
unknown field); 413: the body is too large; 429: the queue is full (with Retry-After); 500:
a bug, logged with its traceback while the server keeps serving.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from emotts.errors import EmottsError
from emotts.server.jobs import QueueFull

log = logging.getLogger("emotts.server")


def error_response(
    status: int,
    message: str,
    error_type: str = "invalid_request_error",
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"message": message, "type": error_type, "param": param, "code": None}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field(location: tuple) -> str:
    """("body", "adv", 0) -> "adv[0]"; the leading "body" says nothing to the client."""
    parts = [str(p) for p in location if p != "body"]
    text = parts[0] if parts else "body"
    for part in parts[1:]:
        text += f"[{part}]" if part.isdigit() else f".{part}"
    return text


def _validation_message(error: RequestValidationError) -> tuple[str, str | None]:
    problems, first = [], None
    for item in error.errors():
        name = _field(tuple(item.get("loc", ())))
        first = first or name
        if item.get("type") == "extra_forbidden":
            problems.append(f"unknown field {name!r} (see /docs for the accepted fields)")
        else:
            problems.append(f"{name}: {item.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(problems), first


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EmottsError)
    async def user_error(_request: Request, error: EmottsError) -> JSONResponse:
        return error_response(400, str(error), param=getattr(error, "param", None))

    @app.exception_handler(RequestValidationError)
    async def schema_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        message, param = _validation_message(error)
        return error_response(422, message, param=param)

    @app.exception_handler(QueueFull)
    async def busy(_request: Request, error: QueueFull) -> JSONResponse:
        return error_response(
            429,
            str(error),
            "rate_limit_error",
            headers={"Retry-After": str(error.retry_after)},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        message = str(error.detail)
        if error.status_code == 404:
            message = f"no endpoint {request.method} {request.url.path}; see /docs"
        elif error.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}; see /docs"
        return error_response(error.status_code, message, headers=error.headers)


class CatchAllMiddleware:
    """Turn any exception that escaped the handlers into a logged 500 JSON error.

    Starlette's own last-resort handler re-raises after answering, and uvicorn then drops the
    connection; this one answers and keeps the connection. An exception after the response
    has started (a broken stream) can only end that response, never the server.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as error:
            log.exception("request %s %s failed", scope.get("method"), scope.get("path"))
            if not started:
                response = error_response(
                    500,
                    f"internal error ({type(error).__name__}: {error}); the server keeps running",
                    "server_error",
                )
                await response(scope, receive, send)
