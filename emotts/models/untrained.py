"""Voices with random weights but realistic durations, for timing, plumbing and UI tests.

Compute cost does not depend on weight values, only on sizes and lengths, so such a voice
times the real graphs faithfully (`emotts bench`), and exercises export, the runtime and the
demo before a trained voice exists. Its speech is noise-like; only the duration head is
biased so that each phoneme lasts as long as a trained model would make it (an untrained one
predicts ~0 frames).
"""

from __future__ import annotations

import math
from pathlib import Path

PITCH_STATS = dict(pitch_mean=5.3, pitch_std=0.25, energy_mean=20.0, energy_std=10.0)


def make_untrained_voice(
    directory: str | Path,
    preset: str = "default",
    *,
    frames_per_phoneme: float = 6.0,
    speakers: tuple[str, ...] = ("a",),
    seed: int = 0,
    vocoder: str = "hifigan-universal",
    decoder: dict | None = None,
    pitch_target: str = "phoneme",
) -> Path:
    """Save a randomly initialized voice whose phonemes last ~``frames_per_phoneme`` frames.

    vocoder: "griffinlim" is fast and needs no weights (tests); "hifigan-universal" times the
    real pipeline. decoder: a model ``decoder`` section (None: the preset's), e.g.
    ``{"type": "flow"}`` for a flow-matching voice. pitch_target: the model's
    ``pitch_target`` ("frame" for a frame-level pitch contour).
    """
    import torch

    from emotts.audio.config import AudioConfig
    from emotts.emotion.labels import LABELS
    from emotts.models import AcousticConfig, AcousticModel
    from emotts.models.checkpoint import save_voice
    from emotts.text.symbols import default_symbols

    torch.manual_seed(seed)
    symbols = default_symbols()
    config = AcousticConfig.preset(
        preset,
        n_symbols=len(symbols),
        labels=list(LABELS),
        speakers=list(speakers),
        **PITCH_STATS,
        **({} if decoder is None else {"decoder": decoder}),
        pitch_target=pitch_target,
    )
    model = AcousticModel(config).eval()
    with torch.no_grad():
        # The duration head predicts log(1 + frames); shrinking its weights keeps random
        # features from spreading durations far from the target (exp amplifies them).
        head = model.variance_adaptor.duration.head
        head.bias.fill_(math.log1p(frames_per_phoneme))
        head.weight.mul_(0.1)
        make_conditions_visible(model)
    return save_voice(
        directory,
        model,
        audio_config=AudioConfig(),
        language="en-us",
        symbols=symbols,
        vocoder=vocoder,
        extra={"untrained": True},
    )


def make_conditions_visible(model, std: float = 0.2) -> None:
    """Perturb an untrained model so every condition visibly changes its output.

    Conditional norms start blind to their condition and a flow decoder's null emotion starts
    at zero; random values make emotion, speaker, controls and guidance reach the output, as
    they would after training (in place, under no_grad).
    """
    import torch

    from emotts.models.decoders.flow import FlowDecoder
    from emotts.models.layers import ConditionalLayerNorm

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, ConditionalLayerNorm):
                module.to_scale_shift.weight.normal_(0.0, std)
            elif isinstance(module, FlowDecoder):
                module.null_emotion.normal_(0.0, 1.0)
