"""The ASGI app: routes, middleware and state of `emotts serve` (FastAPI).

POST /v1/audio/speech          OpenAI-compatible speech (whole file, or streamed WAV/PCM)
POST /v1/audio/speech/timings  the same request; JSON with base64 audio + word/phoneme timings
GET  /v1/voices                the served voices with their labels and speakers
GET  /v1/presets               the emotion presets `instructions` may name
GET  /health                   liveness and queue occupancy
GET  /docs, /openapi.json      the framework's OpenAPI docs
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

import emotts
from emotts.emotion.presets import Preset, load_presets
from emotts.errors import ControlError
from emotts.server.auth import ApiKeyMiddleware
from emotts.server.encoding import encode_audio
from emotts.server.errors import CatchAllMiddleware, error_response, install_error_handlers
from emotts.server.jobs import JobQueue, QueueLimits
from emotts.server.schemas import (
    ErrorResponse,
    HealthResponse,
    PresetBody,
    PresetsResponse,
    SpeechRequest,
    TimedSpeechResponse,
    VoiceBody,
    VoicesResponse,
)
from emotts.server.speech import RequestLimits, build_job
from emotts.server.streaming import stream_speech
from emotts.server.voices import VoiceRegistry

_ERRORS = {
    status: {"model": ErrorResponse, "description": what}
    for status, what in (
        (400, "invalid emotion, markup, control, voice or format"),
        (401, "missing or wrong API key"),
        (413, "request body too large"),
        (422, "body does not match the schema"),
        (429, "queue full; retry after Retry-After seconds"),
    )
}
# JSON framing around the text: field names, the controls, escapes. Bodies beyond
# max_chars * 6 (a \\uXXXX escape per character) plus this are refused before parsing.
_BODY_OVERHEAD = 16 * 1024


@dataclass(frozen=True)
class ServerOptions:
    """presets: the named presets requests may use (None: the shipped ones + $EMOTTS_PRESETS)."""

    limits: RequestLimits = RequestLimits()
    queue: QueueLimits = QueueLimits()
    api_key: str | None = None
    presets: Mapping[str, Preset] | None = None


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` (by Content-Length, or as they arrive when chunked)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = error_response(413, self._message())
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge(self._message())
            return message

        await self.app(scope, counted, send)

    def _message(self) -> str:
        return f"request body is over {self.max_bytes} bytes; send shorter text"


def create_app(voices: VoiceRegistry, options: ServerOptions = ServerOptions()) -> FastAPI:
    """The app for loaded voices; uvicorn (or any ASGI server) runs it."""
    queue = JobQueue(options.queue)
    # Read once at start-up: a broken presets file stops the server now, not each request.
    presets = load_presets() if options.presets is None else dict(options.presets)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        queue.shutdown()

    app = FastAPI(
        title="emotts",
        version=emotts.__version__,
        description="Emotional text-to-speech with an OpenAI-compatible speech endpoint.",
        lifespan=lifespan,
    )
    install_error_handlers(app)

    @app.exception_handler(BodyTooLarge)
    async def too_large(_request: Request, error: BodyTooLarge):
        return error_response(413, str(error))

    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(BodySizeLimit, max_bytes=options.limits.max_chars * 6 + _BODY_OVERHEAD)
    if options.api_key:
        # Added last, so it runs first: nothing is parsed for an unauthenticated client.
        app.add_middleware(ApiKeyMiddleware, api_key=options.api_key)
    limits = options.limits

    @app.get("/health", response_model=HealthResponse, responses=_ERRORS)
    async def health() -> HealthResponse:
        return HealthResponse(
            status="ok",
            voices=voices.names(),
            jobs_running_or_waiting=queue.admitted,
            job_capacity=queue.capacity,
        )

    @app.get("/v1/voices", response_model=VoicesResponse, responses=_ERRORS)
    async def list_voices() -> VoicesResponse:
        return VoicesResponse(
            voices=[
                VoiceBody(
                    name=v.name,
                    backend=v.backend,
                    labels=v.synthesizer.labels,
                    speakers=v.synthesizer.speakers,
                    sample_rate=v.synthesizer.sample_rate,
                )
                for v in voices.voices.values()
            ],
            default=voices.default,
        )

    @app.get("/v1/presets", response_model=PresetsResponse, responses=_ERRORS)
    async def list_presets() -> PresetsResponse:
        return PresetsResponse(presets=[PresetBody(**p.to_dict()) for p in presets.values()])

    @app.post(
        "/v1/audio/speech",
        response_class=Response,
        responses={200: {"content": {"audio/wav": {}, "audio/mpeg": {}}}, **_ERRORS},
    )
    async def speech(request: SpeechRequest) -> Response:
        """Speak `input`; the body is the audio file, or a chunked stream with `stream`."""
        job = build_job(request, voices, limits, presets)
        admission = queue.admit()
        if request.stream:
            return await stream_speech(queue, admission, job, limits)
        audio = await queue.run(admission, lambda: job.synthesize(limits))
        body = encode_audio(audio.samples, audio.sample_rate, job.fmt)
        return Response(body, media_type=job.fmt.media_type)

    @app.post("/v1/audio/speech/timings", response_model=TimedSpeechResponse, responses=_ERRORS)
    async def timed_speech(request: SpeechRequest) -> TimedSpeechResponse:
        """Speak `input`; JSON with the audio (base64) and word and phoneme timings."""
        if request.stream:
            raise ControlError("stream is not available with timings; use /v1/audio/speech")
        job = build_job(request, voices, limits, presets)
        audio = await queue.run(queue.admit(), lambda: job.synthesize(limits))
        body = encode_audio(audio.samples, audio.sample_rate, job.fmt)
        timings = audio.timings_dict()
        return TimedSpeechResponse(
            audio=base64.b64encode(body).decode("ascii"),
            response_format=job.fmt.name,
            sample_rate=audio.sample_rate,
            duration=audio.duration,
            words=timings["words"],
            phonemes=timings["phonemes"],
        )

    return app
