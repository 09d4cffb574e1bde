"""Named emotion presets: an emotion spec plus speed, pitch and energy settings, from YAML.

The shipped presets live in ``presets.yaml`` next to this module. A user file (the ``path``
argument, else the ``EMOTTS_PRESETS`` environment variable) in the same format is merged over
them: its presets are added, and one with a shipped name replaces the shipped one. Format::

    whispered-secret:
      description: hushed and a little anxious   # optional
      emotion: "fearful; intensity=0.4"          # the -e syntax, or {weights: ..} / {adv: ..}
      speed: 0.85                                # optional, default 1 (higher is faster)
      pitch_shift: -1.0                          # optional, semitones, default 0
      energy_scale: 0.5                          # optional, default 1

Every problem in a file is a ``ConfigError`` naming the file, the preset and the field, and
saying what is accepted; an unknown preset name is an ``EmotionSpecError`` listing the names.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from pathlib import Path
from typing import Any

import yaml

from emotts.emotion.labels import join_message
from emotts.emotion.prosody import SPEED_RANGE
from emotts.emotion.spec import EmotionSpec, parse_emotion
from emotts.emotion.syntax import check_range, check_real
from emotts.errors import ConfigError, EmotionSpecError
from emotts.synthesis.controls import ENERGY_SCALE_RANGE, PITCH_SHIFT_RANGE

SHIPPED_PRESETS = Path(__file__).with_name("presets.yaml")
PRESETS_ENV = "EMOTTS_PRESETS"
#: The prefix that makes ``-e preset:NAME`` (and a cue's emotion) name a preset.
PRESET_PREFIX = "preset:"

#: The synthesis settings a preset carries besides its emotion.
PROSODY_FIELDS = ("speed", "pitch_shift", "energy_scale")

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_NAME_HELP = "Accepted: lower-case letters, digits, '-' and '_', starting with a letter or digit"
_FIELDS = ("emotion", "speed", "pitch_shift", "energy_scale", "description")
# (field, accepted range, what it means) for the numeric settings.
_NUMBERS = (
    ("speed", SPEED_RANGE, "tempo, higher is faster"),
    ("pitch_shift", PITCH_SHIFT_RANGE, "semitones"),
    ("energy_scale", ENERGY_SCALE_RANGE, "loudness scale"),
)


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named emotion with prosody settings.

    emotion: the spec to speak with. speed: tempo (higher is faster). pitch_shift: semitones
    added to the predicted pitch. energy_scale: loudness scale. description: one line for
    listings. Explicit user settings override speed, pitch_shift and energy_scale.
    """

    name: str
    emotion: EmotionSpec
    speed: float = 1.0
    pitch_shift: float = 0.0
    energy_scale: float = 1.0
    description: str = ""

    def prosody(self) -> dict[str, float]:
        """The settings as synthesis keyword arguments: speed, pitch_shift, energy_scale."""
        return {name: getattr(self, name) for name in PROSODY_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the emotion in the ``-e`` text syntax."""
        return {
            "name": self.name,
            "emotion": str(self.emotion),
            "speed": self.speed,
            "pitch_shift": self.pitch_shift,
            "energy_scale": self.energy_scale,
            "description": self.description,
        }


def _field_error(source: Path, name: str, field: str, problem: str, accepted: str) -> ConfigError:
    """``accepted`` is empty when ``problem`` (a wrapped spec error) already says it."""
    message = f"{source}: preset {name!r}, {field}: {problem}"
    return ConfigError(join_message(message, accepted) if accepted else message)


def _emotion(source: Path, name: str, value: object) -> EmotionSpec:
    try:
        if isinstance(value, str):
            return parse_emotion(value)
        if isinstance(value, dict):
            return EmotionSpec.from_dict(value)
    except EmotionSpecError as error:
        raise _field_error(source, name, "emotion", str(error), "") from None
    raise _field_error(
        source,
        name,
        "emotion",
        f"expected text or a mapping, got {value!r}",
        'Accepted: the -e syntax (e.g. "sad; intensity=0.6") or a mapping with weights or adv',
    )


def _number(source: Path, name: str, field: str, value: object, bounds, meaning: str) -> float:
    accepted = f"Accepted: a number in [{bounds[0]:g}, {bounds[1]:g}] ({meaning})"
    try:
        return check_range(check_real(value, field, accepted), bounds, field, accepted, None)
    except EmotionSpecError as error:
        raise _field_error(source, name, field, str(error), "") from None


def _preset(source: Path, name: object, body: object) -> Preset:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(join_message(f"{source}: preset name {name!r} is invalid", _NAME_HELP))
    if not isinstance(body, dict):
        raise ConfigError(
            join_message(
                f"{source}: preset {name!r} must be a mapping, got {body!r}",
                f"Accepted fields: {', '.join(_FIELDS)}",
            )
        )
    unknown = sorted(str(key) for key in body if key not in _FIELDS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], _FIELDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise _field_error(
            source,
            name,
            unknown[0],
            f"unknown field{hint}",
            f"Accepted fields: {', '.join(_FIELDS)}",
        )
    if "emotion" not in body:
        raise _field_error(source, name, "emotion", "missing", "Every preset needs an emotion")
    description = body.get("description", "")
    if not isinstance(description, str):
        raise _field_error(source, name, "description", f"{description!r}", "Accepted: text")
    numbers = {
        field: _number(source, name, field, body[field], bounds, meaning)
        for field, bounds, meaning in _NUMBERS
        if field in body
    }
    return Preset(name, _emotion(source, name, body["emotion"]), description=description, **numbers)


def read_preset_file(path: str | Path) -> dict[str, Preset]:
    """The presets of one YAML file, validated, in file order."""
    source = Path(path)
    try:
        document = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read presets file {source}: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"presets file {source} is not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"presets file {source} is not valid YAML: {error}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(
            join_message(
                f"{source}: the top level must map preset names to presets, got "
                f"{type(document).__name__}",
                "Accepted: name: {emotion: ..., speed: ..., pitch_shift: ..., energy_scale: ...}",
            )
        )
    return {str(name): _preset(source, name, body) for name, body in document.items()}


def load_presets(path: str | Path | None = None) -> dict[str, Preset]:
    """The shipped presets merged with a user file (``path``, else ``$EMOTTS_PRESETS``).

    User presets are added after the shipped ones; one with a shipped name replaces it.
    """
    presets = read_preset_file(SHIPPED_PRESETS)
    user = path if path is not None else os.environ.get(PRESETS_ENV) or None
    if user is not None:
        presets.update(read_preset_file(user))
    return presets


def resolve_preset(name: str, path: str | Path | None = None) -> Preset:
    """The preset called ``name`` (a leading ``preset:`` is accepted) among :func:`load_presets`."""
    if not isinstance(name, str):
        raise EmotionSpecError(f"a preset name must be text, got {name!r}")
    key = name.strip()
    if key.startswith(PRESET_PREFIX):
        key = key[len(PRESET_PREFIX) :].strip()
    presets = load_presets(path)
    if key in presets:
        return presets[key]
    close = difflib.get_close_matches(key, list(presets), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise EmotionSpecError(
        join_message(
            f"unknown preset {key!r}{hint}",
            f"Accepted presets: {', '.join(presets)} (see `emotts presets`)",
        )
    )


def is_preset_reference(text: str | None) -> bool:
    """True when ``text`` (an ``-e`` value) names a preset as ``preset:NAME``."""
    return isinstance(text, str) and text.strip().startswith(PRESET_PREFIX)


def parse_emotion_or_preset(
    text: str | None,
    intensity: float | None = None,
    adv: str | None = None,
    path: str | Path | None = None,
) -> tuple[EmotionSpec, Preset | None]:
    """:func:`parse_emotion` that also reads ``preset:NAME``: the spec and the preset, if any.

    With a preset, ``intensity`` replaces the preset's intensity (an override, not a clash);
    the caller applies the preset's speed, pitch and energy where the user set none.
    """
    if not is_preset_reference(text):
        return parse_emotion(text, intensity=intensity, adv=adv), None
    if adv is not None:
        raise EmotionSpecError(
            "both a preset (-e preset:NAME) and an ADV vector (--adv) are given. "
            "Accepted: one of them"
        )
    preset = resolve_preset(text, path)
    emotion = preset.emotion if intensity is None else preset.emotion.with_intensity(intensity)
    return emotion, preset


def merge_prosody(preset: Preset | None, **explicit: float | None) -> dict[str, float]:
    """Speed, pitch_shift and energy_scale: each explicit value (not None) wins over the
    preset's, which wins over the defaults (1, 0, 1)."""
    unknown = sorted(set(explicit) - set(PROSODY_FIELDS))
    if unknown:
        raise TypeError(f"merge_prosody() got unexpected settings {unknown}")
    base = (preset or Preset("defaults", EmotionSpec.neutral())).prosody()
    return {name: base[name] if explicit.get(name) is None else explicit[name] for name in base}
