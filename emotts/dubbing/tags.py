"""A cue's text -> what is spoken, its emotion tag and its sound descriptions.

``[happy] Hello`` : a leading tag in the ``-e`` syntax (``[sad; intensity=0.8]``,
``[happy:0.6,surprised:0.4]``, ``[adv=0.7,0.2,-0.5]``), optionally with a flow voice's emotion
guidance for the cue (``[happy; guidance=2]``, as ``<emotion guidance="2">``), or a preset (``[tired]``,
``[preset:tired]``) sets the cue's emotion (and, for a preset, its speed, pitch and energy).
Any other bracketed text (``[door slams]``, ``[laughs]``) is a sound description: never
spoken, listed in the report. A bracket that tries to be an emotion (emotion syntax, or a
label name) but is invalid is an error, so a typo never turns into silence unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace

from emotts.emotion.labels import UNSUPPORTED_LABELS, label_problem_parts, lookup_label
from emotts.emotion.presets import PRESET_PREFIX
from emotts.emotion.spec import EmotionSpec, parse_emotion
from emotts.emotion.syntax import parse_guidance
from emotts.errors import EmotionSpecError, EmottsError

_BRACKET = re.compile(r"\[([^\[\]]*)\]")
# Emotion syntax: adv=..., '; intensity=', or label:weight.
_EMOTION_SYNTAX = re.compile(
    r"^\s*adv\s*=|;\s*(?:intensity|guidance)\s*=|^\s*[A-Za-z]+\s*:\s*[-+]?[\d.]",
    re.IGNORECASE,
)
# A tag's guidance option: "; guidance=2" anywhere after the emotion.
_GUIDANCE = re.compile(r";\s*guidance\s*=\s*([^;]*)", re.IGNORECASE)


class CueTagError(EmotionSpecError):
    """A cue's leading emotion tag is invalid."""


@dataclass(frozen=True)
class CueText:
    """What a cue's text says.

    spoken: the text to synthesize (inline markup kept), sound descriptions removed.
    emotion: the leading tag's emotion, or None.
    preset: the leading tag's preset name, or None.
    sounds: sound descriptions, in order, without brackets.
    warnings: things the reader decided that the user should see.
    """

    spoken: str
    emotion: EmotionSpec | None
    preset: str | None
    sounds: tuple[str, ...]
    warnings: tuple[str, ...]


def _looks_like_emotion(content: str) -> bool:
    word = content.strip()
    return bool(
        _EMOTION_SYNTAX.search(word)
        or lookup_label(word) is not None
        or lookup_label(word.split(":", 1)[0].split(",", 1)[0]) is not None
        or word.lower() in UNSUPPORTED_LABELS
        or word.lower().startswith(PRESET_PREFIX)
    )


def _preset_name(content: str, presets: Collection[str]) -> str | None:
    """The preset a tag names (``[tired]`` or ``[preset:tired]``), or None."""
    name = content.removeprefix(PRESET_PREFIX).strip()
    if name in presets:
        return name
    if content.startswith(PRESET_PREFIX):
        accepted = ", ".join(presets) or "none"
        raise CueTagError(f"unknown preset {name!r} in [{content}]; accepted presets: {accepted}")
    return None


def read_cue_text(text: str, presets: Collection[str] = ()) -> CueText:
    """Split a cue's text into its tag, sound descriptions and the spoken rest.

    presets: the preset names a tag may give (bare or as ``preset:NAME``).

    Raises:
        CueTagError: a leading tag that is emotion syntax or a label name but invalid, or
            two emotion tags.
    """
    emotion: EmotionSpec | None = None
    preset: str | None = None
    sounds: list[str] = []
    warnings: list[str] = []
    for match in _BRACKET.finditer(text):
        content = match.group(1).strip()
        leading = _only_brackets(text[: match.start()])
        named = _preset_name(content, presets) if leading else None
        if leading and (named is not None or _looks_like_emotion(content)):
            if emotion is not None or preset is not None:
                raise CueTagError(
                    f"two emotion tags at the start of the cue ([{content}] after an earlier "
                    "one); give one tag, or use <emotion> markup for a change inside the cue"
                )
            if named is not None:
                preset = named
                continue
            try:
                emotion = _tag_emotion(content)
            except EmottsError as error:
                raise CueTagError(f"invalid emotion tag [{content}]: {error}") from None
            continue
        if _looks_like_emotion(content):
            warnings.append(
                f"[{content}] is not at the start of the cue, so it is not read as an emotion "
                "(it is a sound description and not spoken); use <emotion> markup inside a cue"
            )
        elif " " not in content and label_problem_parts(content)[1]:
            warnings.append(
                f"[{content}] is taken as a sound description, not an emotion"
                f"{label_problem_parts(content)[1]}"
            )
        sounds.append(content)
    spoken = " ".join(_BRACKET.sub(" ", text).split())
    return CueText(spoken, emotion, preset, tuple(sounds), tuple(warnings))


def _tag_emotion(content: str) -> EmotionSpec:
    """A tag's emotion in the ``-e`` syntax, with its ``; guidance=W`` option if any."""
    options = list(_GUIDANCE.finditer(content))
    if len(options) > 1:
        raise CueTagError(f"guidance is given {len(options)} times; give it once")
    if not options:
        return parse_emotion(content)
    option = options[0]
    guidance = parse_guidance(option.group(1), option.start(1))
    rest = content[: option.start()] + content[option.end() :]
    return replace(parse_emotion(rest), guidance=guidance)


def _only_brackets(prefix: str) -> bool:
    """Whether ``prefix`` holds nothing but bracketed parts and whitespace."""
    return not _BRACKET.sub("", prefix).strip()
