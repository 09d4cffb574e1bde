"""Per-browser-session state: a folder for that session's WAV files and a take counter."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Every session folder lives under one folder per server process, removed when it exits, so
# a server that is stopped leaves no audio behind even for sessions that never expired.
_ROOT = Path(tempfile.mkdtemp(prefix="emotts-demo-"))
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)


@dataclass
class Session:
    folder: Path
    takes: int = 0

    @classmethod
    def create(cls) -> Session:
        return cls(Path(tempfile.mkdtemp(prefix="session-", dir=_ROOT)))

    def next_wav(self, hint: str) -> Path:
        """A new file name such as ``take-003-happy.wav``: readable when downloaded."""
        self.takes += 1
        slug = re.sub(r"[^a-z0-9]+", "-", hint.lower()).strip("-")[:40] or "speech"
        return self.folder / f"take-{self.takes:03d}-{slug}.wav"


def ensure_session(session: Session | None) -> Session:
    """gr.State starts as None; the first request of a session makes its folder."""
    return session if session is not None else Session.create()


def delete_session(session: Session | None) -> None:
    """Called by gradio when a session's state expires."""
    if session is not None:
        shutil.rmtree(session.folder, ignore_errors=True)
