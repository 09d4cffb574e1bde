"""The rule table: how an emotion (label, intensity, ADV) becomes prosody and voice quality.

Every parameter is ``base(ADV) + intensity * extra[label]``:

* ``base`` is a smooth function of (arousal, dominance, valence) following the dimensional
  rules of Schröder (2004, 2006): activation raises F0 level, F0 range, tempo, loudness and
  vocal effort (flatter spectral tilt) and shortens pauses; power lowers F0 level and makes
  phrase ends fall rather than rise; positive evaluation raises F0 slightly and lifts the
  contour. Coefficients are ours, set large so that the differences are clearly audible.
* ``extra`` holds what the dimensions do not explain, from the review of Murray & Arnott
  (1993, Table I) and Burkhardt & Sendlmeier (2000): e.g. disgust is much slower and much
  lower with wide downward terminal inflections; fear has irregular voicing (jitter, tremor);
  surprise ends on a rise; anger has abrupt accents on stressed words and a tense voice.

Parameters live in additive units (semitones, dB, log2 factors) so that sums and intensity
scaling stay meaningful; :func:`prosody_for` converts to the applied values.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from emotts.emotion.labels import LABEL_ADV, LABELS

# Bumped whenever a coefficient changes, so a resumed corpus cannot mix two rule sets.
RULES_VERSION = 1

# (constant, arousal, dominance, valence) coefficients of the linear part of each parameter.
LINEAR_BASE: dict[str, tuple[float, float, float, float]] = {
    "pitch_st": (0.0, 4.0, -1.0, 1.0),  # F0 level shift, semitones
    "rate_log2": (0.0, 0.40, 0.05, 0.0),  # speech rate factor, log2
    "volume_db": (0.0, 5.0, 1.5, 0.0),  # loudness, dB
    "range_log2": (0.0, 0.70, 0.0, 0.20),  # F0 range factor around the mean, log2
    "declination_st": (-1.0, 0.0, 0.5, 1.5),  # F0 change start->end of utterance, semitones
    "final_st": (0.0, 1.0, -2.0, 0.0),  # F0 movement on the last 0.4 s, semitones
    "tilt_db": (0.0, 6.0, 2.0, 0.0),  # gain at 8 kHz relative to <=500 Hz, dB (vocal effort)
    "pause_log2": (0.0, -0.60, 0.0, 0.0),  # interior pause length factor, log2
}

# Label extras at intensity 1, in the same units (plus non-linear ones: accents, jitter, ...).
LABEL_EXTRA: dict[str, dict[str, float]] = {
    "neutral": {},
    # M&A: pitch much higher, range much wider, smooth upward inflections, breathy.
    "happy": {
        "pitch_st": 2.0,
        "range_log2": 0.3,
        "declination_st": 1.0,
        "rate_log2": 0.1,
        "breathiness": 0.05,
    },
    # M&A: higher, wider, louder, abrupt pitch changes on stressed syllables, tense voice.
    "angry": {
        "pitch_st": 1.5,
        "range_log2": 0.3,
        "volume_db": 2.0,
        "tilt_db": 5.0,
        "accent_st": 3.0,
        "final_st": -2.0,
        "rate_log2": 0.1,
    },
    # M&A: slightly slower, lower, narrower, quieter, downward inflections, "resonant"/lax.
    "sad": {
        "pitch_st": -1.5,
        "range_log2": -0.5,
        "rate_log2": -0.35,
        "volume_db": -3.0,
        "tilt_db": -4.0,
        "breathiness": 0.15,
        "declination_st": -1.5,
        "pause_log2": 0.6,
    },
    # Burkhardt & Sendlmeier / common practice: higher, wider, final rise.
    "surprised": {"pitch_st": 1.5, "range_log2": 0.4, "final_st": 6.0, "accent_st": 1.0},
    # M&A: much faster, very much higher, wider, irregular voicing.
    "fearful": {
        "pitch_st": 2.5,
        "range_log2": 0.2,
        "rate_log2": 0.25,
        "jitter": 0.012,
        "tremor": 0.05,
        "breathiness": 0.12,
    },
    # M&A: very much slower, very much lower, wide downward terminal inflections, grumbled.
    "disgusted": {
        "pitch_st": -4.0,
        "range_log2": 0.1,
        "rate_log2": -0.45,
        "final_st": -4.0,
        "tilt_db": -3.0,
        "volume_db": -2.0,
        "pause_log2": 0.4,
    },
}

TREMOR_HZ = 5.5  # vocal tremor rate; depth is the parameter
# Bounds RHVoice 1.8 honours: below ~65 % pitch its parser misbehaves (60 % raises F0).
SSML_PITCH_PCT = (65.0, 200.0)
SSML_RATE_PCT = (50.0, 200.0)
# RHVoice renders at 40 % volume so that +8 dB of emotion still fits in its 16-bit output.
SSML_VOLUME_BASE_PCT = 40.0


def _soft_positive(x: float, sharpness: float = 4.0) -> float:
    """Smooth max(x, 0) (softplus), so non-negative parameters stay differentiable in ADV."""
    return math.log1p(math.exp(sharpness * x)) / sharpness


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _base(a: float, d: float, v: float) -> dict[str, float]:
    """The ADV part of every parameter (smooth in a, d, v)."""
    base = {name: c0 + ca * a + cd * d + cv * v for name, (c0, ca, cd, cv) in LINEAR_BASE.items()}
    # Accents grow with activation and power (Schröder: steeper, more frequent accents).
    base["accent_st"] = 2.0 * _soft_positive(1.2 * a + 0.5 * d)
    # Irregular voicing when aroused and displeased (fear, panic); ~0 otherwise.
    base["jitter"] = 0.006 * _sigmoid(4.0 * (a - v - 1.0))
    base["tremor"] = 0.0
    # Low activation gives a soft, breathy voice.
    base["breathiness"] = 0.2 * _soft_positive(-a - 0.1)
    return base


@dataclass(frozen=True)
class Prosody:
    """Every parameter applied to one utterance (written to the manifest as-is)."""

    pitch_pct: float  # SSML pitch, % of the voice's own F0 level
    rate_pct: float  # SSML rate, % of the voice's own tempo
    volume_pct: float  # SSML volume, % of amplitude (includes SSML_VOLUME_BASE_PCT)
    accent_pitch_pct: float  # SSML pitch on accented words
    accent_volume_pct: float  # SSML volume on accented words
    f0_range: float  # factor on log-F0 deviations from the utterance mean
    declination_st: float
    final_st: float
    jitter: float  # relative per-frame F0 perturbation (std)
    tremor: float  # relative F0 modulation depth at TREMOR_HZ
    tilt_db: float
    breathiness: float  # share of periodic energy turned into noise, 0..1
    pause_scale: float  # factor on interior silences

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 5) for k, v in asdict(self).items()}


def realized_adv(label: str, intensity: float) -> tuple[float, float, float]:
    """The ADV a labelled utterance carries: the prototype scaled by intensity, kept in [-1, 1]."""
    return tuple(max(-1.0, min(1.0, x * intensity)) for x in LABEL_ADV[label])  # type: ignore[return-value]


def raw_parameters(
    adv: tuple[float, float, float], label: str | None = None, intensity: float = 1.0
) -> dict[str, float]:
    """Parameters in additive units: base(ADV) + intensity * extra[label]."""
    if label is not None and label not in LABEL_EXTRA:
        raise ValueError(f"unknown label {label!r}; accepted: {', '.join(LABELS)}")
    params = _base(*adv)
    for name, value in (LABEL_EXTRA[label] if label else {}).items():
        params[name] += intensity * value
    return params


def blend_parameters(weights: dict[str, float], intensity: float = 1.0) -> dict[str, float]:
    """A blend's parameters: its labels' parameters at this intensity, mixed by weight.

    Mixing happens in the additive units (semitones, dB, log2 factors), so a 60/40 blend of
    happy and surprised gets 60 % of happy's F0 raise and 40 % of surprise's final rise.
    Weights are used as given (a blend's weights sum to 1).
    """
    mixed: dict[str, float] = {}
    for label, weight in weights.items():
        for name, value in raw_parameters(realized_adv(label, intensity), label, intensity).items():
            mixed[name] = mixed.get(name, 0.0) + weight * value
    return mixed


def blend_adv(weights: dict[str, float], intensity: float = 1.0) -> tuple[float, float, float]:
    """A blend's ADV: its labels' realized ADV, mixed by weight (as the emotion space mixes
    label embeddings)."""
    parts = [(weight, realized_adv(label, intensity)) for label, weight in weights.items()]
    return tuple(sum(w * adv[d] for w, adv in parts) for d in range(3))  # type: ignore[return-value]


def _clamp(x: float, bounds: tuple[float, float]) -> float:
    return max(bounds[0], min(bounds[1], x))


def prosody_for(
    adv: tuple[float, float, float], label: str | None = None, intensity: float = 1.0
) -> Prosody:
    """The applied parameters for an utterance with this ADV (and optional label extras)."""
    return prosody_from_parameters(raw_parameters(adv, label, intensity))


def prosody_from_parameters(p: dict[str, float]) -> Prosody:
    """Additive-unit parameters (as from :func:`raw_parameters`) -> applied values."""
    accent_db = 0.5 * p["accent_st"]  # accented words are also a little louder
    return Prosody(
        pitch_pct=_clamp(100.0 * 2.0 ** (p["pitch_st"] / 12.0), SSML_PITCH_PCT),
        rate_pct=_clamp(100.0 * 2.0 ** p["rate_log2"], SSML_RATE_PCT),
        volume_pct=SSML_VOLUME_BASE_PCT * 10.0 ** (p["volume_db"] / 20.0),
        accent_pitch_pct=_clamp(
            100.0 * 2.0 ** ((p["pitch_st"] + p["accent_st"]) / 12.0), SSML_PITCH_PCT
        ),
        accent_volume_pct=SSML_VOLUME_BASE_PCT * 10.0 ** ((p["volume_db"] + accent_db) / 20.0),
        f0_range=2.0 ** p["range_log2"],
        declination_st=p["declination_st"],
        final_st=p["final_st"],
        jitter=max(0.0, p["jitter"]),
        tremor=max(0.0, p["tremor"]),
        tilt_db=p["tilt_db"],
        breathiness=min(0.8, max(0.0, p["breathiness"])),
        pause_scale=2.0 ** p["pause_log2"],
    )
