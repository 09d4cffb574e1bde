"""The serving path never imports torch: the CLI, `load_voice` and the demo with an ONNX voice.

Each check runs in a fresh interpreter whose import system refuses torch (a meta-path finder
that records the attempt and raises), so any import of torch on the way fails the command
loudly with the importing stack; the finder's count is printed to stderr at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from emotts.backends import load_voice
from emotts.backends.onnx_voice import OnnxVoice
from emotts.cli import main
from emotts.errors import ControlError

_GUARD = """
import sys, traceback
attempts = []
class _RefuseTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            attempts.append("".join(traceback.format_stack(limit=12)))
            raise ImportError(f"{name} imported on the torch-free path")
        return None
sys.meta_path.insert(0, _RefuseTorch())
"""
_REPORT = """
loaded = sorted(m for m in sys.modules if m == "torch" or m.startswith("torch."))
print("TORCH", len(attempts), loaded, file=sys.stderr)
"""


def _run_without_torch(body: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-c", _GUARD + body + _REPORT], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "TORCH 0 []" in done.stderr, done.stderr[-3000:]
    return done


def test_synth_cli_onnx_backend_never_imports_torch(exported, tmp_path):
    out, timings = tmp_path / "hello.wav", tmp_path / "hello.json"
    argv = [
        "synth",
        "--backend",
        "onnx",
        "-v",
        str(exported[1]),
        "-t",
        "Hello there.",
        "-e",
        "happy:0.5,sad:0.5",
        "--timings",
        str(timings),
        "--threads",
        "1",
        "-o",
        str(out),
    ]
    _run_without_torch(f"from emotts.cli import main\nassert main({argv!r}) == 0\n")
    samples, rate = soundfile.read(out)
    assert rate == 22050 and np.sqrt(np.mean(samples**2)) > 1e-3
    written = json.loads(timings.read_text())
    assert [w["word"] for w in written["words"]] == ["Hello", "there"]
    assert written["words"][-1]["end"] <= written["duration"] == pytest.approx(len(samples) / rate)


def test_load_voice_and_runtime_never_import_torch(exported):
    _run_without_torch(
        "from emotts import load_voice\n"
        f"voice = load_voice({str(exported[1])!r}, threads=1)\n"
        "assert type(voice).__name__ == 'OnnxVoice'\n"
        "audio = voice.synthesize('Hello there.', 'happy:0.5,sad:0.5')\n"
        "parts = list(voice.stream('One. Two.'))\n"
        "assert audio.duration > 0 and len(parts) >= 2  # chunks of two sentences\n"
    )


def test_demo_with_an_onnx_voice_never_imports_torch(exported):
    _run_without_torch(
        "from emotts.demo.handler import handle_synthesis\n"
        "from emotts.demo.request import SynthesisRequest\n"
        "from emotts.demo.session import Session\n"
        f"request = SynthesisRequest(text='Hi there.', voice={str(exported[1])!r}, backend='onnx')\n"
        "result = handle_synthesis(request, Session.create())\n"
        "print(type(result).__name__)\n"
    )


def test_streamed_timings_are_absolute_and_match_synthesize(exported, tmp_path, capfdbinary):
    text = "One sentence. And another one."
    timings = tmp_path / "stream.json"
    argv = ["synth", "-v", str(exported[1]), "--stream", "-t", text, "--timings", str(timings)]
    assert main(argv) == 0
    pcm = np.frombuffer(capfdbinary.readouterr().out, dtype="<i2")
    streamed = json.loads(timings.read_text())
    whole = load_voice(exported[1]).synthesize(text)
    assert streamed["duration"] == pytest.approx(len(pcm) / 22050)
    assert [w["word"] for w in streamed["words"]] == [w.word for w in whole.words]
    # The second sentence's words start after the first sentence's audio, as in one Audio.
    for got, expected in zip(streamed["words"], whole.words, strict=True):
        assert got["start"] == pytest.approx(expected.start, abs=1e-6)
        assert got["end"] == pytest.approx(expected.end, abs=1e-6)


def test_load_voice_dispatches_and_refuses_a_foreign_vocoder(exported):
    assert isinstance(load_voice(exported[1]), OnnxVoice)
    assert isinstance(
        load_voice(exported[1], backend="onnx", vocoder="hifigan-universal"), OnnxVoice
    )
    with pytest.raises(ControlError, match="exported with vocoder 'hifigan-universal'"):
        load_voice(exported[1], vocoder="griffinlim")
    with pytest.raises(ControlError, match="accepted: auto, torch, onnx"):
        load_voice(exported[1], backend="tpu")


def test_emotions_lists_an_onnx_voices_labels(exported, capsys):
    assert main(["emotions", "--voice", str(exported[1])]) == 0
    listed = capsys.readouterr().out
    assert "neutral" in listed and "happy" in listed
