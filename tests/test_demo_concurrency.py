"""The demo under 20 concurrent sessions: a real server on 127.0.0.1 (`python demo/app.py`),
driven over HTTP by 20 gradio_client sessions at once, each with its own text, speaker,
emotion, speed and pitch (half of them with a target duration), two requests each.

Each session's results must be its own: the words table holds its own text's words, the
status echoes its own emotion, the WAV's measured duration is the one its settings give (the
target duration, or what the same request gives in-process: the untrained voice's durations
are deterministic), and its second take is numbered 2 (the per-session state is not shared).
No request may fail. Latency figures are printed (and written to $EMOTTS_DEMO_REPORT as JSON
when set) for docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from emotts.emotion.labels import LABELS
from emotts.models.untrained import make_untrained_voice
from tests.live_server import free_port

pytest.importorskip("gradio", reason="gradio (the demo extra) is not installed")
gradio_client = pytest.importorskip("gradio_client")

REPO = Path(__file__).resolve().parents[1]
SESSIONS = 20
SERVER_START_SECONDS = 90
SPEAKERS = ("ann", "bob")
WORDS = ["apple", "river", "stone", "candle", "window", "garden", "silver", "orange", "paper",
         "music", "forest", "yellow", "bridge", "summer", "winter", "market", "planet", "castle",
         "rocket", "pencil"]  # fmt: skip
# One extra frame of slack: the vocoder's output is cut to whole hops.
DURATION_TOLERANCE_S = 0.03


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_untrained_voice(
        tmp_path_factory.mktemp("voice"),
        "tiny",
        frames_per_phoneme=7.0,
        speakers=SPEAKERS,
        vocoder="griffinlim",
    )


@pytest.fixture(scope="module")
def server(voice_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    root = str(REPO)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": path}
    command = [sys.executable, str(REPO / "demo" / "app.py"), "--host", "127.0.0.1"]
    with log.open("w") as sink:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--voice", str(voice_dir)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not _answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the demo server did not start; its log:\n{log.read_text()}")
        time.sleep(0.5)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass(frozen=True)
class Settings:
    """One session's choices."""

    text: str
    speaker: str
    label: str
    speed: float
    pitch: float
    duration: float | None

    def arguments(self, voice: str, label: str) -> tuple:
        """The /run endpoint's inputs: text, voice, path, backend, speaker, kind, label,
        intensity, 7 blend sliders, 3 ADV sliders, clip, speed, pitch, use_duration, duration."""
        mix = (0.0, 0.6, 0.0, 0.0, 0.4, 0.0, 0.0)
        use_duration = self.duration is not None
        return (self.text, voice, "", "torch", self.speaker, "label", label, 1.0, *mix,
                0.0, 0.0, 0.0, None, self.speed, self.pitch, use_duration,
                self.duration or 3.0)  # fmt: skip


def _settings(index: int) -> Settings:
    count = 1 + index % 4
    words = [WORDS[(index + k * 7) % len(WORDS)] for k in range(count)]
    return Settings(
        text=" ".join(words).capitalize() + ".",
        speaker=SPEAKERS[index % 2],
        label=LABELS[index % len(LABELS)],
        speed=round(0.6 + 0.05 * index, 2),  # 0.6 .. 1.55
        pitch=float(index % 5 - 2),
        duration=round(1.0 + 0.1 * index, 1) if index % 2 else None,
    )


def _words(text: str) -> list[str]:
    return text.rstrip(".").split()


def _session(url: str, voice: str, settings: Settings, folder: Path, start: threading.Barrier):
    """Two requests of one session; returns [(seconds, result tuple), ...]."""
    client = gradio_client.Client(url, verbose=False, download_files=str(folder))
    second_label = LABELS[(LABELS.index(settings.label) + 3) % len(LABELS)]
    start.wait()
    results = []
    for label in (settings.label, second_label):
        began = time.perf_counter()
        result = client.predict(*settings.arguments(voice, label), api_name="/run")
        results.append((time.perf_counter() - began, label, result))
    return results


def test_twenty_concurrent_sessions_keep_their_own_settings(server, voice_dir, tmp_path) -> None:
    from emotts.backends import load_voice

    voice = load_voice(voice_dir, threads=1)
    sessions = [_settings(i) for i in range(SESSIONS)]
    start = threading.Barrier(SESSIONS)
    began = time.perf_counter()
    with ThreadPoolExecutor(SESSIONS) as pool:
        futures = [
            pool.submit(_session, server, str(voice_dir), s, tmp_path / f"s{i}", start)
            for i, s in enumerate(sessions)
        ]
        outcomes = [f.result(timeout=600) for f in futures]
    wall = time.perf_counter() - began

    latencies, failures = [], []
    for index, (settings, outcome) in enumerate(zip(sessions, outcomes, strict=True)):
        for take, (seconds, label, result) in enumerate(outcome, start=1):
            latencies.append(seconds)
            status, wav, _mel, _f0, words, _phonemes = result
            where = f"session {index} take {take} ({settings}, {label})"
            if "emotts-ok" not in status:
                failures.append(f"{where}: {status}")
                continue
            assert f"emotion {label}," in status, (where, status)
            assert [row[0] for row in words["data"]] == _words(settings.text), (where, words)
            # The take counter is the session's own: a shared state would number them 1..40.
            assert Path(wav).name == f"take-{take:03d}-{label}.wav", (where, wav)
            samples, rate = sf.read(wav)
            measured = len(samples) / rate
            if settings.duration is not None:
                expected = settings.duration
            else:
                expected = voice.synthesize(
                    settings.text,
                    label,
                    speaker=settings.speaker,
                    speed=settings.speed,
                    pitch_shift=settings.pitch,
                ).duration
            assert abs(measured - expected) <= DURATION_TOLERANCE_S, (where, measured, expected)
            assert np.isfinite(samples).all() and np.abs(samples).max() > 0
    assert not failures, failures
    figures = {
        "sessions": SESSIONS,
        "requests": len(latencies),
        "failed": len(failures),
        "latency_p50_s": round(float(np.percentile(latencies, 50)), 2),
        "latency_p95_s": round(float(np.percentile(latencies, 95)), 2),
        "latency_max_s": round(max(latencies), 2),
        "wall_s": round(wall, 1),
    }
    print(f"\ndemo concurrency: {figures}")
    report = os.environ.get("EMOTTS_DEMO_REPORT")
    if report:
        Path(report).write_text(json.dumps(figures, indent=1))
