"""Mel-to-waveform vocoders behind one interface (:class:`Vocoder`).

This package never imports ``emotts``, so it can be used and replaced on its own. Its classes
need torch; they load lazily, so ``vocoders.catalog`` (names and descriptions) and
``VOCODER_NAMES`` are readable in a torch-free install.
"""

from __future__ import annotations

import importlib

from vocoders.catalog import CATALOG
from vocoders.settings import UNIVERSAL, MelSettings

VOCODER_NAMES: tuple[str, ...] = tuple(info.name for info in CATALOG)

# Public name -> (module, attribute); imported on first use.
_LAZY = {
    "Vocoder": ("vocoders.base", "Vocoder"),
    "GriffinLim": ("vocoders.griffinlim", "GriffinLim"),
    "HiFiGAN": ("vocoders.hifigan", "HiFiGAN"),
    "VocosSettings": ("vocoders.vocos", "VocosSettings"),
    "VocosVocoder": ("vocoders.vocos", "VocosVocoder"),
}
# Registered name -> (module, class, constructor); every CATALOG name has one.
_FACTORIES = {
    "hifigan-universal": ("vocoders.hifigan", "HiFiGAN", "universal"),
    "vocos-emotts": ("vocoders.vocos", "VocosVocoder", "shipped"),
    "griffinlim": ("vocoders.griffinlim", "GriffinLim", None),
}

# The mels each named vocoder consumes, known without building it (a voice is checked
# against them when it loads).
_SETTINGS: dict[str, MelSettings] = dict.fromkeys(_FACTORIES, UNIVERSAL)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'vocoders' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    return getattr(importlib.import_module(module), attribute)


def _known(name: str) -> str:
    if name not in _FACTORIES:
        raise ValueError(f"unknown vocoder {name!r}; accepted: {', '.join(VOCODER_NAMES)}")
    return name


def load_vocoder(name: str):
    """Build the vocoder called ``name`` (one of :data:`VOCODER_NAMES`), in eval mode.

    Raises:
        ValueError: the name is unknown (the message lists the accepted ones), or its
            weights are missing or do not load.
    """
    module, cls_name, constructor = _FACTORIES[_known(name)]
    cls = getattr(importlib.import_module(module), cls_name)
    return (getattr(cls, constructor)() if constructor else cls()).eval()


def vocoder_settings(name: str) -> MelSettings:
    """The mel settings the vocoder called ``name`` expects, without loading its weights."""
    return _SETTINGS[_known(name)]


__all__ = ["UNIVERSAL", "VOCODER_NAMES", "MelSettings", "load_vocoder", "vocoder_settings", *_LAZY]
