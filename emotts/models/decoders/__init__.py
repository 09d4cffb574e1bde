"""Mel decoders chosen by configuration: ``decoder: {type: convnext, layers: 6, ...}``.

``convnext`` regresses the mel (L1); ``flow`` samples it by conditional flow matching with
emotion guidance (docs/flow-decoder.md).

A decoder class takes the sizes the acoustic model decides (``channels``: H of the frames,
``condition_dim``: C, ``n_mels``, and ``emotion_dim`` if it asks for it: the first channels of
the condition that are the emotion) and its own options by keyword, every option with a
default. The model config stores the resolved section (every option written out), so a voice
keeps its decoder when a default changes later.
"""

from __future__ import annotations

import inspect

from emotts.errors import ConfigError
from emotts.models.decoders.base import MelDecoder
from emotts.models.decoders.convnext import ConvNeXtDecoder
from emotts.models.decoders.flow import FlowDecoder

DECODERS: dict[str, type[MelDecoder]] = {"convnext": ConvNeXtDecoder, "flow": FlowDecoder}
DEFAULT_DECODER = "convnext"
# Sizes the acoustic model passes itself; not settable in the decoder section.
_MODEL_SIZES = ("channels", "condition_dim", "n_mels", "emotion_dim")


def _options(decoder_type: str) -> dict[str, object]:
    """A decoder type's options and their defaults (constructor keywords minus model sizes)."""
    parameters = inspect.signature(DECODERS[decoder_type].__init__).parameters
    return {
        name: p.default
        for name, p in parameters.items()
        if name not in ("self", *_MODEL_SIZES) and p.kind is not p.VAR_KEYWORD
    }


def resolve_decoder_section(section: dict | None) -> dict:
    """Check a decoder section and write out every option (defaults filled in)."""
    section = dict(section or {})
    decoder_type = section.pop("type", DEFAULT_DECODER)
    if decoder_type not in DECODERS:
        raise ConfigError(f"unknown decoder type {decoder_type!r}; accepted: {', '.join(DECODERS)}")
    options = _options(decoder_type)
    unknown = sorted(set(section) - set(options))
    if unknown:
        raise ConfigError(
            f"decoder {decoder_type!r} has no option {unknown[0]!r}; accepted: "
            f"{', '.join(options) or 'none'}"
        )
    return {"type": decoder_type, **options, **section}


def build_decoder(
    section: dict, *, channels: int, condition_dim: int, n_mels: int, emotion_dim: int
) -> MelDecoder:
    """The decoder a (resolved or partial) section describes, sized for the acoustic model."""
    options = resolve_decoder_section(section)
    cls = DECODERS[options.pop("type")]
    sizes = dict(
        channels=channels, condition_dim=condition_dim, n_mels=n_mels, emotion_dim=emotion_dim
    )
    accepted = inspect.signature(cls.__init__).parameters
    return cls(**{k: v for k, v in sizes.items() if k in accepted}, **options)


__all__ = ["DECODERS", "MelDecoder", "build_decoder", "resolve_decoder_section"]
