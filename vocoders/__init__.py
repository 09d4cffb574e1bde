"""Mel-to-waveform vocoders behind one interface (:class:`Vocoder`).

This package imports torch but never ``emotts``, so it can be used and replaced on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from vocoders.base import Vocoder
from vocoders.griffinlim import GriffinLim
from vocoders.hifigan import HiFiGAN
from vocoders.settings import UNIVERSAL, MelSettings
from vocoders.vocos import VocosSettings, VocosVocoder

_FACTORIES: dict[str, Callable[[], Vocoder]] = {
    "hifigan-universal": HiFiGAN.universal,
    "vocos-emotts": VocosVocoder.shipped,
    "griffinlim": GriffinLim,
}

VOCODER_NAMES: tuple[str, ...] = tuple(_FACTORIES)


def load_vocoder(name: str) -> Vocoder:
    """Build the vocoder called ``name`` (one of :data:`VOCODER_NAMES`), in eval mode."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ValueError(
            f"unknown vocoder {name!r}; accepted: {', '.join(VOCODER_NAMES)}"
        ) from None
    return factory().eval()


__all__ = [
    "UNIVERSAL",
    "VOCODER_NAMES",
    "GriffinLim",
    "HiFiGAN",
    "MelSettings",
    "Vocoder",
    "VocosSettings",
    "VocosVocoder",
    "load_vocoder",
]
