"""Training data of the vocoder: (mel, target waveform) pairs, cached, and random segments.

The target is either the recording itself or, for distillation, what the teacher vocoder
(HiFi-GAN universal) makes of the recording's mel. A teacher's phase is a deterministic
function of its input mel, so a student can learn it; a recording's phase is not (the glottal
pulse positions are not in the mel), and regressing it smears the harmonics. The teacher's
output is computed once per utterance and cached, since it costs about half a second of CPU per
second of audio.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch.utils.data import Dataset
from tqdm import tqdm

from emotts.audio.config import AudioConfig
from emotts.audio.io import load_audio
from emotts.audio.mel import mel_spectrogram
from emotts.data.manifest import ManifestEntry, read_manifest
from emotts.errors import ConfigError

TARGETS = ("teacher", "recording")


@dataclass(frozen=True)
class VocoderItem:
    """One cached utterance: where it is and how many frames it has."""

    path: Path
    speaker: str
    frames: int


def _shuffled(entries: Sequence[ManifestEntry], split: str, seed: int) -> list[ManifestEntry]:
    """Entries of ``split`` in a seeded random order (the time budget is applied while
    caching, when durations are known)."""
    chosen = [e for e in entries if e.split == split]
    random.Random(seed).shuffle(chosen)
    return chosen


def build_vocoder_cache(
    manifests: Sequence[str | Path],
    cache_dir: str | Path,
    *,
    split: str = "train",
    target: str = "teacher",
    seconds_per_speaker: float | None = None,
    seed: int = 0,
    teacher: torch.nn.Module | None = None,
    progress: bool = True,
) -> list[VocoderItem]:
    """Cache ``{mel [80, T] fp16, wave [T * hop] fp16}`` per utterance of ``split``.

    Incremental: files already in ``cache_dir`` are reused. ``seconds_per_speaker`` caps the
    audio taken from each speaker (utterances in a seeded random order).
    """
    if target not in TARGETS:
        raise ConfigError(f"vocoder target {target!r} is unknown; accepted: {', '.join(TARGETS)}")
    cache_dir = Path(cache_dir) / target
    cache_dir.mkdir(parents=True, exist_ok=True)
    cfg = AudioConfig()
    jobs: list[tuple[ManifestEntry, Path]] = []
    for manifest in manifests:
        manifest = Path(manifest)
        entries = read_manifest(manifest)
        jobs += [(e, manifest.parent) for e in _shuffled(entries, split, seed)]
    budget: dict[str, float] = {}
    items: list[VocoderItem] = []
    if target == "teacher" and teacher is None:
        from vocoders import load_vocoder

        teacher = load_vocoder("hifigan-universal")
    for entry, root in tqdm(jobs, desc=f"vocoder cache ({target})", disable=not progress):
        used = budget.get(entry.speaker, 0.0)
        if seconds_per_speaker is not None and used >= seconds_per_speaker:
            continue
        path = cache_dir / f"{entry.id}.safetensors"
        if path.is_file():
            # Only the header: the frame count, without reading the tensors.
            with safe_open(str(path), framework="pt") as handle:
                frames = int(handle.get_slice("mel").get_shape()[-1])
        else:
            wave = load_audio(entry.audio_path(root), cfg.sample_rate)
            mel = torch.as_tensor(mel_spectrogram(wave, cfg))
            frames = mel.shape[-1]
            if target == "teacher":
                with torch.inference_mode():
                    out = teacher(mel.unsqueeze(0))[0]
            else:
                out = torch.from_numpy(wave[: frames * cfg.hop_length])
            partial = path.with_name(path.name + ".partial")
            save_file(
                {"mel": mel.half().contiguous(), "wave": out.half().contiguous()}, str(partial)
            )
            partial.replace(path)
        budget[entry.speaker] = used + frames * cfg.frame_seconds
        items.append(VocoderItem(path, entry.speaker, frames))
    return items


class SegmentDataset(Dataset):
    """Random fixed-length segments of cached utterances.

    Each item is ``{"mel": [80, frames], "wave": [frames * hop]}`` float32. An epoch visits
    every utterance once, at a random offset.
    """

    def __init__(self, items: Sequence[VocoderItem], frames: int, hop_length: int, seed: int = 0):
        self.items = [item for item in items if item.frames >= frames]
        if not self.items:
            raise ConfigError(f"no cached utterance has the {frames} frames a segment needs")
        self.frames = frames
        self.hop = hop_length
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        data = load_file(str(self.items[index].path))
        start = int(self.rng.integers(0, data["mel"].shape[-1] - self.frames + 1))
        mel = data["mel"][:, start : start + self.frames].float()
        wave = data["wave"][start * self.hop : (start + self.frames) * self.hop].float()
        return {"mel": mel, "wave": wave}
