"""Shared helpers for the recipe tests, plus tests of the parts every recipe uses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

from emotts.cli import main
from emotts.data.manifest import ManifestEntry, read_manifest
from emotts.data.recipes.common import AudioSettings, read_text, trim_and_normalize
from emotts.data.recipes.pipeline import choose_splits
from emotts.emotion.labels import LABELS

# Fixture clips: LEAD s of silence, TONE s of tone, TAIL s of silence.
LEAD, TONE, TAIL = 0.3, 1.0, 0.4


def write_tone(path: Path, sample_rate: int = 16000, tone: float = TONE, channels: int = 1) -> Path:
    """A sine burst between stretches of near-silence (a little noise, as in real recordings)."""
    rng = np.random.default_rng(len(path.name))
    t = np.arange(int(tone * sample_rate)) / sample_rate
    burst = 0.3 * np.sin(2 * np.pi * 220.0 * t) * np.hanning(len(t)) ** 0.1
    signal = np.concatenate(
        [np.zeros(int(LEAD * sample_rate)), burst, np.zeros(int(TAIL * sample_rate))]
    )
    signal += rng.normal(0.0, 1e-5, len(signal))
    data = np.stack([signal] * channels, axis=1) if channels > 1 else signal
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, data.astype(np.float32), sample_rate)
    return path


def write_corrupt(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEjunk" + bytes(range(256)))
    return path


def write_empty(path: Path, header: bool = False) -> Path:
    """A 0-byte file, or with ``header`` a valid WAV holding no samples."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if header:
        sf.write(path, np.zeros(0, dtype=np.float32), 16000)
    else:
        path.write_bytes(b"")
    return path


def prepare(recipe: str, root: Path, out: Path, *extra: str) -> int:
    args = ["data", "prepare", recipe, "--root", str(root), "--out", str(out), "--workers", "1"]
    return main([*args, *extra])


def check_outputs(
    out: Path, recipe: str, found: int, skips: dict[str, str]
) -> tuple[list[ManifestEntry], dict]:
    """Checks every recipe shares; ``skips`` maps a file-name fragment to its expected reason."""
    entries = read_manifest(out / "manifest.jsonl")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["found"] == found
    assert report["kept"] == len(entries)
    assert report["kept"] + report["skipped_count"] == found  # nothing lost silently
    for fragment, reason in skips.items():
        hits = [s for s in report["skipped"] if fragment in s["source"]]
        assert [s["reason"] for s in hits] == [reason], (fragment, report["skipped"])
        assert hits[0]["detail"]
    assert len(report["skipped"]) == len(skips), report["skipped"]
    for entry in entries:
        assert entry.emotion is None or entry.emotion in LABELS
        info = sf.info(entry.audio_path(out))
        assert (info.samplerate, info.channels) == (22050, 1)
        # Silence trimmed to the tone plus a short margin on each side.
        assert TONE - 0.05 < info.frames / info.samplerate < TONE + 0.2, entry.id
    config = yaml.safe_load((out / "config.yaml").read_text(encoding="utf-8"))
    assert config["data"]["manifest"] == "manifest.jsonl"
    assert config["data"]["cache_dir"] == "cache"
    assert config["data"]["language"] == "en-us"
    assert config["data"]["labels"] == [
        label for label in LABELS if label in {e.emotion for e in entries}
    ]
    assert config["data"]["speakers"] == sorted({e.speaker for e in entries})
    assert config["model"] == {"preset": "default"}
    assert config["train"] == {"output_dir": f"runs/{recipe}", "batch_size": 16, "max_steps": 40000}
    return entries, report


def by_id(entries: list[ManifestEntry]) -> dict[str, ManifestEntry]:
    return {entry.id: entry for entry in entries}


def test_unknown_recipe_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert prepare("timit", tmp_path, tmp_path / "out") == 2
    error = capsys.readouterr().err
    assert "unknown recipe 'timit'" in error and "esd, emovdb, ljspeech" in error


def test_missing_root_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["data", "prepare", "ljspeech", "--out", str(tmp_path)]) == 2
    assert "--root is required" in capsys.readouterr().err
    assert prepare("ljspeech", tmp_path / "absent", tmp_path / "out") == 2
    assert "does not exist" in capsys.readouterr().err


def test_trim_keeps_margin_and_normalizes() -> None:
    settings = AudioSettings()
    rate = settings.sample_rate
    signal = np.zeros(rate * 2, dtype=np.float32)
    signal[rate // 2 : rate] = 0.01 * np.sin(np.arange(rate // 2) * 0.1)
    out = trim_and_normalize(signal, settings)
    assert out is not None
    assert (
        0.5 + 2 * settings.trim_margin - 0.01
        < len(out) / rate
        < 0.5 + 2 * settings.trim_margin + 0.05
    )
    rms_db = 20 * np.log10(np.sqrt(np.mean(out[int(0.06 * rate) : -int(0.06 * rate)] ** 2)))
    assert abs(rms_db - settings.target_rms_db) < 1.0
    assert trim_and_normalize(np.zeros(rate, dtype=np.float32), settings) is None


def test_read_text_sniffs_encodings(tmp_path: Path) -> None:
    text = "0011_000001\tCafé “quoted”\tNeutral"
    for encoding, name in (("utf-16", "a"), ("utf-8-sig", "b"), ("utf-16-le", "c")):
        (tmp_path / name).write_bytes(text.encode(encoding))
        assert read_text(tmp_path / name) == text
    (tmp_path / "d").write_bytes("Café".encode("latin-1"))
    assert read_text(tmp_path / "d") == "Café"


def test_choose_splits_keeps_given_and_makes_val() -> None:
    ids = [f"u{i}" for i in range(10)]
    assert choose_splits(ids, ["train"] * 9 + ["val"], 0.5) == ["train"] * 9 + ["val"]
    made = choose_splits(ids, [None] * 8 + ["test", "test"], 0.0001)
    assert made.count("val") == 1 and made[-2:] == ["test", "test"]
    assert made == choose_splits(ids, [None] * 8 + ["test", "test"], 0.0001)
