"""Copy-synthesis check: does our mel front-end match what HiFi-GAN universal was trained on?

audio -> mel (front-end under test) -> HiFi-GAN universal -> audio -> mel (our front-end), then
the mean absolute log-mel difference against the input's mel. The right front-end must score
clearly better than two plausible mistakes: a power spectrogram and centred STFT frames.

Usage:
    python scripts/copy_synthesis.py [input.wav] [--text "sentence to synthesize"]

Without an input file a sentence is synthesized with RHVoice (voice slt) or espeak-ng.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from emotts.audio.config import AudioConfig
from emotts.audio.io import load_audio
from emotts.audio.mel import MelSpectrogram
from vocoders import HiFiGAN, Vocoder

DEFAULT_TEXT = "The quick brown fox jumps over the lazy dog, then takes a long nap in the sun."

FrontEnd = Callable[[torch.Tensor], torch.Tensor]


def synthesize_reference(text: str, out_path: Path) -> Path:
    """Speak ``text`` into ``out_path`` with RHVoice-test (voice slt), else espeak-ng."""
    if shutil.which("RHVoice-test"):
        command = ["RHVoice-test", "-p", "slt", "-o", str(out_path)]
        subprocess.run(command, input=text.encode(), check=True, capture_output=True)
    elif shutil.which("espeak-ng"):
        subprocess.run(["espeak-ng", "-w", str(out_path), text], check=True, capture_output=True)
    else:
        raise FileNotFoundError("neither RHVoice-test nor espeak-ng is installed")
    return out_path


def _power_front_end(mel: MelSpectrogram) -> FrontEnd:
    """Wrong on purpose: mel of the power (squared magnitude) spectrogram."""

    def front_end(wav: torch.Tensor) -> torch.Tensor:
        power = mel.mel_basis @ mel.magnitude(wav).pow(2)
        return torch.log(torch.clamp(power, min=mel.cfg.log_floor))

    return front_end


def _centred_front_end(mel: MelSpectrogram) -> FrontEnd:
    """Wrong on purpose: torch's default centred frames (n_fft / 2 padding, frame i on i * hop)."""
    cfg = mel.cfg

    def front_end(wav: torch.Tensor) -> torch.Tensor:
        spec = torch.stft(
            wav,
            n_fft=cfg.n_fft,
            hop_length=cfg.hop_length,
            win_length=cfg.win_length,
            window=mel.window,
            center=True,
            pad_mode="reflect",
            return_complex=True,
        )
        return torch.log(torch.clamp(mel.mel_basis @ spec.abs(), min=cfg.log_floor))

    return front_end


def front_ends(cfg: AudioConfig) -> dict[str, FrontEnd]:
    """The front-end under test ("ours") and the two deliberately wrong ones."""
    mel = MelSpectrogram(cfg)
    return {"ours": mel, "power": _power_front_end(mel), "centred": _centred_front_end(mel)}


@torch.no_grad()
def copy_synthesis_distances(
    wav: np.ndarray, vocoder: Vocoder, cfg: AudioConfig | None = None
) -> dict[str, float]:
    """Mean |log-mel(input) - log-mel(vocoded)| per front-end, both measured with ours.

    Args:
        wav: mono samples (T,) at ``cfg.sample_rate``.

    Returns:
        {"ours": d, "power": d, "centred": d}; frames are aligned at the start and the longer
        mel is trimmed to the shorter.
    """
    cfg = cfg or AudioConfig()
    candidates = front_ends(cfg)
    reference_mel = candidates["ours"]
    audio = torch.from_numpy(np.asarray(wav, dtype=np.float32)).unsqueeze(0)
    target = reference_mel(audio)[0]
    distances: dict[str, float] = {}
    for name, front_end in candidates.items():
        resynthesized = reference_mel(vocoder(front_end(audio)))[0]
        frames = min(target.shape[-1], resynthesized.shape[-1])
        diff = (target[:, :frames] - resynthesized[:, :frames]).abs().mean()
        distances[name] = float(diff)
    return distances


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wav", nargs="?", type=Path, help="input audio (any rate; default: TTS)")
    parser.add_argument("--text", default=DEFAULT_TEXT, help="sentence to synthesize without wav")
    args = parser.parse_args(argv)

    cfg = AudioConfig()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.wav or synthesize_reference(args.text, Path(tmp) / "reference.wav")
        wav = load_audio(path, cfg.sample_rate)
    distances = copy_synthesis_distances(wav, HiFiGAN.universal(), cfg)
    print(
        f"input: {args.wav or 'synthesized: ' + repr(args.text)} ({len(wav) / cfg.sample_rate:.2f} s)"
    )
    print("mean absolute log-mel difference after copy-synthesis (HiFi-GAN universal):")
    for name, distance in distances.items():
        print(f"  {name:8s} {distance:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
