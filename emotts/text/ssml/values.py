"""The value grammars of SSML attributes: prosody rate, pitch, range, volume; break; emphasis.

Each parser takes the attribute's text and the offset of its first character in the whole
input, and returns emotts's own unit (a speed factor, semitones, a range factor, an amplitude
factor, seconds), or raises :class:`SsmlError` naming the value, its position and the accepted
forms. Nothing is clamped: a value outside the accepted range is an error.

Forms (SSML 1.1 plus the common SSML 1.0 and engine forms):

- rate: keyword, ``80%`` (a multiplier), ``+20%``/``-20%`` (a relative change), ``0.8``.
- pitch: keyword, ``+2st``, ``+10%``/``-10%``, ``110%``, ``+20Hz`` (relative) or ``180Hz``
  (absolute). Hz forms are converted at the voice's reference F0 (its training mean).
- range: keyword, ``+50%``/``-50%``, ``150%``, ``+2st``, ``+20Hz`` (relative to the voice's
  typical range) or ``40Hz`` (absolute); the result is a factor on pitch movement.
- volume: keyword, ``+6dB``/``-6dB``, ``+10%``/``-50%`` (amplitude change), ``50%``
  (amplitude multiplier), or an SSML 1.0 number ``0``..``100`` (100 = the voice's loudness).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from emotts.emotion.prosody import SPEED_RANGE
from emotts.errors import SsmlError

PITCH_SHIFT_LIMIT = 24.0  # semitones either way, as the global pitch_shift control
PITCH_RANGE_LIMITS = (0.0, 4.0)  # as the global pitch_range control
VOLUME_DB_LIMITS = (-60.0, 20.0)
MAX_BREAK_SECONDS = 60.0

RATE_KEYWORDS = {"x-slow": 0.5, "slow": 0.75, "medium": 1.0, "fast": 1.5, "x-fast": 2.0}
PITCH_KEYWORDS = {"x-low": -6.0, "low": -3.0, "medium": 0.0, "high": 3.0, "x-high": 6.0}
RANGE_KEYWORDS = {"x-low": 0.25, "low": 0.5, "medium": 1.0, "high": 1.5, "x-high": 2.0}
VOLUME_KEYWORDS = {"x-soft": -12.0, "soft": -6.0, "medium": 0.0, "loud": 4.0, "x-loud": 8.0}
BREAK_STRENGTHS = {
    "none": 0.0,
    "x-weak": 0.1,
    "weak": 0.2,
    "medium": 0.4,
    "strong": 0.7,
    "x-strong": 1.0,
}


@dataclass(frozen=True)
class Emphasis:
    """What an ``<emphasis level>`` does: semitones, range factor, dB and rate factor."""

    pitch_shift: float
    pitch_range: float
    volume_db: float
    rate: float


EMPHASIS_LEVELS = {
    "strong": Emphasis(2.0, 1.4, 4.0, 0.85),
    "moderate": Emphasis(1.0, 1.2, 2.0, 0.92),
    "none": Emphasis(0.0, 1.0, 0.0, 1.0),
    "reduced": Emphasis(-1.0, 0.8, -3.0, 1.1),
}


@dataclass(frozen=True)
class PitchReference:
    """The voice's pitch statistics that Hz values are measured against.

    reference_hz: the voice's mean F0 (exp of its mean log-F0); spread_semitones: the standard
    deviation of its log-F0 in semitones, taken as its typical range. None when unknown, in
    which case Hz values are an error.
    """

    reference_hz: float | None = None
    spread_semitones: float | None = None

    @classmethod
    def from_log_stats(cls, log_mean: float, log_std: float) -> PitchReference:
        return cls(math.exp(log_mean), 12.0 * log_std / math.log(2.0))


_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_UNIT_VALUE = re.compile(rf"(?P<sign>[+-])?(?P<number>{_NUMBER})(?P<unit>%|st|hz|db|ms|s)?", re.I)


def _error(what: str, value: str, position: int, accepted: str, problem: str = "") -> SsmlError:
    problem = problem or f"{what} {value!r} is not understood"
    return SsmlError(f"{problem} at position {position}. Accepted: {accepted}")


def _split(value: str, position: int, what: str, accepted: str) -> tuple[str, float, str, int]:
    """(sign, number, lower-case unit, position of the stripped value)."""
    stripped = value.strip()
    at = position + len(value) - len(value.lstrip())
    match = _UNIT_VALUE.fullmatch(stripped)
    if match is None:
        raise _error(what, stripped, at, accepted)
    return match["sign"] or "", float(match["number"]), (match["unit"] or "").lower(), at


def _signed(sign: str, number: float) -> float:
    return -number if sign == "-" else number


def _in_range(value: float, low: float, high: float, what: str, at: int, accepted: str) -> float:
    if not (math.isfinite(value) and low <= value <= high):
        problem = f"{what} {value:g} is outside [{low:g}, {high:g}]"
        raise _error(what, "", at, accepted, problem)
    return value


def _keyword(value: str, keywords: dict[str, float], default: float) -> float | None:
    word = value.strip().lower()
    if word == "default":
        return default
    return keywords.get(word)


_RATE_HELP = (
    "x-slow, slow, medium, fast, x-fast, default; a multiplier such as 0.8 or 80%; "
    f"a relative change such as +20% or -20%; the result in [{SPEED_RANGE[0]:g}, "
    f"{SPEED_RANGE[1]:g}] (1 natural, higher is faster)"
)


def parse_rate(value: str, position: int) -> float:
    """A speed factor (1 natural, higher faster)."""
    keyword = _keyword(value, RATE_KEYWORDS, 1.0)
    if keyword is not None:
        return keyword
    sign, number, unit, at = _split(value, position, "rate", _RATE_HELP)
    if unit not in ("", "%"):
        raise _error("rate", value.strip(), at, _RATE_HELP)
    if unit == "%":
        factor = 1.0 + _signed(sign, number) / 100.0 if sign else number / 100.0
    elif sign == "-":
        raise _error("rate", value.strip(), at, _RATE_HELP, "a rate multiplier cannot be negative")
    else:
        factor = number
    return _in_range(factor, *SPEED_RANGE, "rate", at, _RATE_HELP)


def _hz_to_semitones(hz: float, reference: float) -> float:
    return 12.0 * math.log2(hz / reference)


def _need_reference(reference: PitchReference, what: str, at: int, accepted: str) -> float:
    if reference.reference_hz is None:
        problem = f"{what} in Hz needs the voice's pitch statistics, which this voice lacks"
        raise _error(what, "", at, accepted, problem)
    return reference.reference_hz


_PITCH_HELP = (
    "x-low, low, medium, high, x-high, default; semitones such as +2st or -3st; a relative "
    "change such as +10% or -10% (or 110%); +20Hz/-20Hz relative or 180Hz absolute; "
    f"the shift within +-{PITCH_SHIFT_LIMIT:g} semitones"
)


def parse_pitch(value: str, position: int, reference: PitchReference) -> float:
    """A pitch shift in semitones."""
    keyword = _keyword(value, PITCH_KEYWORDS, 0.0)
    if keyword is not None:
        return keyword
    sign, number, unit, at = _split(value, position, "pitch", _PITCH_HELP)
    if unit == "st" and sign:
        shift = _signed(sign, number)
    elif unit == "%":
        factor = 1.0 + _signed(sign, number) / 100.0 if sign else number / 100.0
        if factor <= 0:
            raise _error("pitch", value.strip(), at, _PITCH_HELP, "pitch cannot fall to 0 Hz")
        shift = 12.0 * math.log2(factor)
    elif unit == "hz":
        base = _need_reference(reference, "pitch", at, _PITCH_HELP)
        target = base + _signed(sign, number) if sign else number
        if target <= 0:
            raise _error("pitch", value.strip(), at, _PITCH_HELP, "pitch cannot fall to 0 Hz")
        shift = _hz_to_semitones(target, base)
    else:
        raise _error("pitch", value.strip(), at, _PITCH_HELP)
    return _in_range(shift, -PITCH_SHIFT_LIMIT, PITCH_SHIFT_LIMIT, "pitch shift", at, _PITCH_HELP)


_RANGE_HELP = (
    "x-low, low, medium, high, x-high, default; a relative change such as +50% or -50% "
    "(or 150%); +2st/-2st; +20Hz/-20Hz relative or 40Hz absolute; the resulting factor on "
    f"pitch movement in [{PITCH_RANGE_LIMITS[0]:g}, {PITCH_RANGE_LIMITS[1]:g}]"
)


def parse_range(value: str, position: int, reference: PitchReference) -> float:
    """A factor on pitch movement around the sentence mean (1 as predicted)."""
    keyword = _keyword(value, RANGE_KEYWORDS, 1.0)
    if keyword is not None:
        return keyword
    sign, number, unit, at = _split(value, position, "range", _RANGE_HELP)
    if unit == "%":
        factor = 1.0 + _signed(sign, number) / 100.0 if sign else number / 100.0
    elif unit in ("st", "hz"):
        spread = reference.spread_semitones
        if spread is None or reference.reference_hz is None:
            problem = f"range in {unit} needs the voice's pitch statistics, which this voice lacks"
            raise _error("range", "", at, _RANGE_HELP, problem)
        if unit == "st" and not sign:
            raise _error("range", value.strip(), at, _RANGE_HELP)
        if unit == "st":
            wanted = spread + _signed(sign, number)
        else:
            base = reference.reference_hz
            spread_hz = base * (2.0 ** (spread / 12.0) - 1.0)
            wanted_hz = spread_hz + _signed(sign, number) if sign else number
            if wanted_hz < 0:
                problem = f"range {value.strip()!r} would be below zero"
                raise _error("range", "", at, _RANGE_HELP, problem)
            wanted = _hz_to_semitones(base + wanted_hz, base)
        factor = wanted / spread
    else:
        raise _error("range", value.strip(), at, _RANGE_HELP)
    return _in_range(factor, *PITCH_RANGE_LIMITS, "range factor", at, _RANGE_HELP)


_VOLUME_HELP = (
    "silent, x-soft, soft, medium, loud, x-loud, default; a change in dB such as +6dB or -6dB "
    f"(within [{VOLUME_DB_LIMITS[0]:g}, {VOLUME_DB_LIMITS[1]:g}] dB); an amplitude change such "
    "as +10% or -50% (or 50%); an SSML 1.0 number 0..100 (100 is the voice's own loudness)"
)


def parse_volume(value: str, position: int) -> float:
    """An amplitude factor (1 unchanged, 0 silent)."""
    if value.strip().lower() == "silent":
        return 0.0
    keyword = _keyword(value, VOLUME_KEYWORDS, 0.0)
    if keyword is not None:
        return 10.0 ** (keyword / 20.0)
    sign, number, unit, at = _split(value, position, "volume", _VOLUME_HELP)
    if unit == "db":
        if not sign:
            problem = f"volume {value.strip()!r} needs a sign: +{number:g}dB or -{number:g}dB"
            raise _error("volume", "", at, _VOLUME_HELP, problem)
        decibels = _in_range(_signed(sign, number), *VOLUME_DB_LIMITS, "volume", at, _VOLUME_HELP)
        return 10.0 ** (decibels / 20.0)
    if unit == "%":
        factor = 1.0 + _signed(sign, number) / 100.0 if sign else number / 100.0
    elif unit == "" and not sign:
        factor = _in_range(number, 0.0, 100.0, "volume", at, _VOLUME_HELP) / 100.0
    else:
        raise _error("volume", value.strip(), at, _VOLUME_HELP)
    if factor < 0:
        raise _error("volume", value.strip(), at, _VOLUME_HELP, "volume cannot go below silent")
    ceiling = 10.0 ** (VOLUME_DB_LIMITS[1] / 20.0)
    return _in_range(factor, 0.0, ceiling, "volume factor", at, _VOLUME_HELP)


_TIME_HELP = f"a time such as 500ms, 1.5s or 2s, at most {MAX_BREAK_SECONDS:g} s"


def parse_break_time(value: str, position: int) -> float:
    """Seconds of a ``<break time>``."""
    sign, number, unit, at = _split(value, position, "break time", _TIME_HELP)
    if sign or unit not in ("ms", "s"):
        raise _error("break time", value.strip(), at, _TIME_HELP)
    seconds = number / 1000.0 if unit == "ms" else number
    return _in_range(seconds, 0.0, MAX_BREAK_SECONDS, "break time", at, _TIME_HELP)


def _choice(value: str, position: int, choices: dict, what: str):
    word = value.strip().lower()
    if word not in choices:
        accepted = ", ".join(choices)
        raise _error(what, value.strip(), position + len(value) - len(value.lstrip()), accepted)
    return choices[word]


def parse_break_strength(value: str, position: int) -> float:
    """Seconds of a ``<break strength>``."""
    return _choice(value, position, BREAK_STRENGTHS, "break strength")


def parse_emphasis(value: str, position: int) -> Emphasis:
    return _choice(value, position, EMPHASIS_LEVELS, "emphasis level")
