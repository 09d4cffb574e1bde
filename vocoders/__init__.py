"""Mel-to-waveform vocoders behind one interface (:class:`Vocoder`).

This package imports torch but never ``emotts``, so it can be used and replaced on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from vocoders.base import Vocoder
from vocoders.griffinlim import GriffinLim
from vocoders.hifigan import HiFiGAN
from vocoders.settings import UNIVERSAL, MelSettings

_FACTORIES: dict[str, Callable[[], Vocoder]] = {
    "hifigan-universal": HiFiGAN.universal,
    "griffinlim": GriffinLim,
}

# The mels each named vocoder consumes, known without building it (a voice is checked
# against them when it loads).
_SETTINGS: dict[str, MelSettings] = {"hifigan-universal": UNIVERSAL, "griffinlim": UNIVERSAL}

VOCODER_NAMES: tuple[str, ...] = tuple(_FACTORIES)


def _known(name: str) -> str:
    if name not in _FACTORIES:
        raise ValueError(f"unknown vocoder {name!r}; accepted: {', '.join(VOCODER_NAMES)}")
    return name


def load_vocoder(name: str) -> Vocoder:
    """Build the vocoder called ``name`` ("hifigan-universal" or "griffinlim"), in eval mode."""
    return _FACTORIES[_known(name)]().eval()


def vocoder_settings(name: str) -> MelSettings:
    """The mel settings the vocoder called ``name`` expects, without loading its weights."""
    return _SETTINGS[_known(name)]


__all__ = [
    "UNIVERSAL",
    "VOCODER_NAMES",
    "GriffinLim",
    "HiFiGAN",
    "MelSettings",
    "Vocoder",
    "load_vocoder",
    "vocoder_settings",
]
