"""An untrained voice directory for exercising the demo before a trained voice exists.

Its speech is noise-like, but every part of the page (audio, mel, F0, timings, comparison)
works on it: the browser test and `scripts/demo_screenshot.py` use it. Two choices make it
behave like a trained voice where the page can tell: the duration head is biased to about
7 frames per phoneme (untrained, phonemes would last ~1 frame), and the conditional layer
norms are perturbed so emotion and speaker visibly change the output.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch

from emotts.audio.config import AudioConfig
from emotts.emotion.labels import LABELS
from emotts.models import AcousticConfig, AcousticModel
from emotts.models.checkpoint import save_voice
from emotts.models.layers import ConditionalLayerNorm
from emotts.text.symbols import default_symbols

FRAMES_PER_PHONEME = 7.0


def build_untrained_voice(
    directory: str | Path, *, speakers: tuple[str, ...] = ("ann", "bob"), seed: int = 0
) -> Path:
    """Write a tiny untrained voice using the Griffin-Lim vocoder (fast, no weights)."""
    torch.manual_seed(seed)
    symbols = default_symbols()
    config = AcousticConfig.preset(
        "tiny", n_symbols=len(symbols), labels=list(LABELS), speakers=list(speakers),
        pitch_mean=5.3, pitch_std=0.25, energy_mean=20.0, energy_std=10.0,
    )  # fmt: skip
    model = AcousticModel(config)
    with torch.no_grad():
        model.variance_adaptor.duration.head.bias.fill_(math.log(FRAMES_PER_PHONEME))
        for module in model.modules():
            if isinstance(module, ConditionalLayerNorm):
                module.to_scale_shift.weight.normal_(0.0, 0.2)
    return save_voice(
        directory, model, audio_config=AudioConfig(), language="en-us", symbols=symbols,
        vocoder="griffinlim",
    )  # fmt: skip
