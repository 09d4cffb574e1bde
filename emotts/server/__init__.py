"""`emotts serve`: an HTTP speech service (FastAPI + uvicorn; needs the `serve` extra).

`create_app(VoiceRegistry({...}), ServerOptions(...))` builds the ASGI app; see app.py for the
routes and docs/serving.md for the API.
"""
