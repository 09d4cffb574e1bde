"""Shared helpers for the evaluation tests: RHVoice renderings (no tests here)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."

needs_rhvoice = pytest.mark.skipif(shutil.which("RHVoice-test") is None, reason="RHVoice missing")


def rhvoice(
    text: str, path: Path, voice: str = "slt", ssml: bool = False
) -> tuple[np.ndarray, int]:
    """Render ``text`` with RHVoice to ``path``; returns (float32 samples, rate)."""
    args = ["RHVoice-test", "-p", voice, "-o", str(path)] + (["-s"] if ssml else [])
    subprocess.run(args, input=text.encode(), check=True, capture_output=True)
    samples, rate = sf.read(str(path), dtype="float32")
    return samples, rate


def prosody(text: str, pitch: str, rate: str) -> str:
    return f'<speak><prosody pitch="{pitch}" rate="{rate}">{text}</prosody></speak>'


def test_missing_judge_message_gives_the_install_that_works(monkeypatch):
    from emotts.eval import assets

    monkeypatch.setattr(assets.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(assets.JudgeMissingError) as raised:
        assets.resemblyzer_weights()
    message = str(raised.value)
    # resemblyzer is not in the extra (its metadata pulls `typing` and an unpinned torch): the
    # message must carry the same --no-deps install as the dev set-up script.
    setup = (Path(__file__).parents[1] / "scripts" / "setup-dev.sh").read_text()
    assert f'pip install -q --no-deps "{assets.RESEMBLYZER}"' in setup
    assert 'pip install "emotts[eval]"' in message
    assert f'pip install --no-deps "{assets.RESEMBLYZER}"' in message
