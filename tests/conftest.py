"""Shared fixtures: a tiny synthetic emotional corpus spoken by espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
import torchaudio

from emotts.data.manifest import ManifestEntry, write_manifest

TINY_SAMPLE_RATE = 22050

# (text, label, adv). The "happy" half is spoken at espeak pitch 85 and the "neutral" half at
# 35, so the labels differ audibly and in F0, which a model can pick up in a few steps.
_TINY_LINES: tuple[tuple[str, str, tuple[float, float, float] | None], ...] = (
    ("The cat sat on the mat.", "neutral", None),
    ("We walked home in the rain.", "neutral", (0.0, 0.0, 0.0)),
    ("Please close the door.", "neutral", None),
    ("It is a quiet evening.", "neutral", None),
    ("The train was late again. We waited.", "neutral", None),
    ("What a wonderful day!", "happy", (0.6, 0.4, 0.8)),
    ("I love this song so much.", "happy", None),
    ("We won the game!", "happy", (0.7, 0.5, 0.8)),
    ("The sun is shining today.", "happy", None),
    ("Thank you, this is great.", "happy", None),
)
_PITCH = {"neutral": 35, "happy": 85}
# Utterances (by index) held out for validation: one of each label.
_VAL_INDICES = {4, 9}


def _speak(text: str, pitch: int, path: Path) -> None:
    """Synthesize ``text`` with espeak-ng and rewrite it as 22050 Hz mono float audio."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-w", str(raw), "-p", str(pitch), text], check=True)
    samples, rate = sf.read(raw, dtype="float32", always_2d=True)
    mono = torch.from_numpy(np.ascontiguousarray(samples.mean(axis=1)))
    if rate != TINY_SAMPLE_RATE:
        mono = torchaudio.functional.resample(mono, rate, TINY_SAMPLE_RATE)
    sf.write(path, mono.numpy(), TINY_SAMPLE_RATE, subtype="PCM_16")
    raw.unlink()


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10-utterance corpus (5 neutral at low pitch, 5 happy at high pitch); the manifest path.

    Audio lives in ``wavs/`` next to the manifest and is referenced relatively. Some rows carry
    ADV vectors; two rows form the ``val`` split.
    """
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed; the tiny corpus is synthesized with it")
    root = tmp_path_factory.mktemp("tiny_corpus")
    (root / "wavs").mkdir()
    entries = []
    for index, (text, label, adv) in enumerate(_TINY_LINES):
        uid = f"tiny_{index:02d}"
        _speak(text, _PITCH[label], root / "wavs" / f"{uid}.wav")
        entries.append(
            ManifestEntry(
                id=uid,
                audio=f"wavs/{uid}.wav",
                text=text,
                speaker="espeak",
                emotion=label,
                adv=adv,
                intensity=None,
                split="val" if index in _VAL_INDICES else "train",
            )
        )
    manifest = root / "manifest.jsonl"
    write_manifest(manifest, entries)
    return manifest


@pytest.fixture(scope="session")
def tiny_onnx_voice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An exported ONNX voice: the "tiny" preset with random weights (~5 frames per phoneme,
    speakers "a" and "b") and the HiFi-GAN universal vocoder. Exporting takes ~30 s of CPU, so
    it happens once per test session."""
    from emotts.models.untrained import make_untrained_voice
    from emotts.onnx.export import export_voice

    root = tmp_path_factory.mktemp("tiny_onnx_voice")
    voice = make_untrained_voice(
        root / "voice", "tiny", frames_per_phoneme=5.0, speakers=("a", "b")
    )
    return export_voice(voice, root / "onnx").directory


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(torch voice dir, ONNX voice dir): a tiny untrained voice (two speakers, ~5 frames per
    phoneme) exported once per session with ``emotts export --quantize``."""
    from emotts.cli import main
    from emotts.models.untrained import make_untrained_voice

    root = tmp_path_factory.mktemp("onnx_parity")
    voice = make_untrained_voice(
        root / "voice", "tiny", frames_per_phoneme=5.0, speakers=("a", "b")
    )
    assert main(["export", "--voice", str(voice), "--out", str(root / "onnx"), "--quantize"]) == 0
    return voice, root / "onnx"
